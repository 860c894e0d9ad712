from __future__ import annotations

from rest_framework import serializers

from designs.serializers import ROOM_TYPE_CHOICES, DesignCreateSerializer

_ROOM_TYPES_HELP = ("Optional, one per image in the same order: that photo's room type (blank: the project's "
                    "room_type, or detected).")


class ProjectChoicesSerializer(DesignCreateSerializer):
    """The one set of choices of a project: a design's, without what belongs to one photo or one request (the
    photo, a mask, a source, a webhook). The seed is the project's own, chosen at random when it is created."""

    image = None
    mask = None
    source = None
    callback_url = None
    seed = None
    quick = None
    mode = None


class ProjectCreateSerializer(ProjectChoicesSerializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
    images = serializers.ListField(child=serializers.FileField(allow_empty_file=True), allow_empty=True,
                                   required=False, default=list,
                                   help_text="Several photos of one home: repeat the `images` field.")
    room_types = serializers.ListField(child=serializers.ChoiceField(choices=ROOM_TYPE_CHOICES, allow_blank=True),
                                       required=False, default=list, help_text=_ROOM_TYPES_HELP)


class ProjectPhotosSerializer(serializers.Serializer):
    images = serializers.ListField(child=serializers.FileField(allow_empty_file=True), allow_empty=True,
                                   required=False, default=list, help_text="Repeat the `images` field.")
    room_types = serializers.ListField(child=serializers.ChoiceField(choices=ROOM_TYPE_CHOICES, allow_blank=True),
                                       required=False, default=list, help_text=_ROOM_TYPES_HELP)


class ProjectPhotoStateSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    position = serializers.IntegerField()
    room_type = serializers.CharField(allow_null=True)
    seed = serializers.IntegerField(help_text="The seed this photo's designs use: the project's, or its re-roll's.")
    rerolled = serializers.BooleanField()
    original_url = serializers.CharField()
    designs_count = serializers.IntegerField()
    design = serializers.DictField(allow_null=True, help_text="The latest design of the photo (a design's state; "
                                                              "metadata.project tells its seed and reference).")


class ProjectStateSerializer(serializers.Serializer):
    """Documents designs' project state (projects/selectors.py builds it)."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    style = serializers.CharField()
    choices = serializers.DictField()
    seed = serializers.IntegerField(help_text="Shared by every design of the project (random at creation).")
    reference_url = serializers.CharField(allow_null=True, help_text="The shared style reference, once a design "
                                                                     "led (its first result).")
    reference_design = serializers.UUIDField(allow_null=True, help_text="The leader.")
    created_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=["empty", "in_progress", "completed", "finished_with_errors"])
    photos = ProjectPhotoStateSerializer(many=True)


class ProjectSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    style = serializers.CharField()
    seed = serializers.IntegerField()
    photos = serializers.IntegerField()
    created_at = serializers.DateTimeField()
