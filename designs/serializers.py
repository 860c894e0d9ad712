from __future__ import annotations

import json

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from designs import references
from designs.filters import InvalidFilter, status_filter_values
from gpu.colors import InvalidPreference, normalize_hex
from gpu.styles import ROOM_TYPES, STYLES
from gpu.types import MODES, RESOLUTIONS

# One choice set, one schema enum (RoomTypeEnum, settings ENUM_NAME_OVERRIDES) wherever a room type is chosen.
ROOM_TYPE_CHOICES = sorted(ROOM_TYPES)


@extend_schema_field({"type": "array", "items": {"type": "string", "example": "#a3b18a"}, "maxItems": 5})
class PaletteField(serializers.Field):
    """A list of hex colours: a JSON array, a comma-separated string, or repeated form fields."""

    def get_value(self, dictionary):
        if hasattr(dictionary, "getlist") and len(dictionary.getlist(self.field_name)) > 1:
            return dictionary.getlist(self.field_name)
        return super().get_value(dictionary)

    def to_internal_value(self, data) -> list[str]:
        if isinstance(data, str):
            text = data.strip()
            data = json.loads(text) if text.startswith("[") and _is_json(text) else text.split(",")
        if not isinstance(data, list):
            raise serializers.ValidationError("Give a list of hex colours like #a3b18a.", code="invalid_palette")
        colours = [item for item in data if str(item).strip()]
        if len(colours) > 5:
            raise serializers.ValidationError("Pick at most 5 colours.", code="invalid_palette")
        try:
            return [normalize_hex(str(item)) for item in colours]
        except InvalidPreference as error:
            raise serializers.ValidationError(str(error), code="invalid_palette") from None

    def to_representation(self, value):
        return value


@extend_schema_field({"type": "array", "items": {"type": "object", "properties": {
    "id": {"type": "integer"}, "action": {"type": "string", "enum": ["keep", "replace", "remove"]}}}})
class ObjectsField(serializers.Field):
    """Object-by-object choices: a JSON list (a JSON form field in multipart); checked against the source's
    detections by designs.objects."""

    def to_internal_value(self, data) -> list:
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                raise serializers.ValidationError('Give a JSON list like [{"id": 3, "action": "remove"}].',
                                                  code="invalid_objects") from None
        if not isinstance(data, list):
            raise serializers.ValidationError('Give a JSON list like [{"id": 3, "action": "remove"}].',
                                              code="invalid_objects")
        return data

    def to_representation(self, value):
        return value


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


class DesignCreateSerializer(serializers.Serializer):
    image = serializers.FileField(required=False, allow_empty_file=True, help_text="JPEG, PNG, WebP or HEIC photo.")
    style = serializers.ChoiceField(
        choices=sorted(STYLES), required=False, allow_blank=True,
        help_text="A named style (GET /api/v1/styles/). Required, unless `style_reference` is given: then it may be "
                  f"left out and the design uses the neutral `{references.DEFAULT_STYLE}` wording, the look coming "
                  "from the reference photo.")
    room_type = serializers.ChoiceField(choices=ROOM_TYPE_CHOICES, required=False, allow_blank=True)
    keep_furniture = serializers.BooleanField(required=False, default=False)
    color_palette = PaletteField(required=False, default=list)
    wall_color = serializers.CharField(required=False, allow_blank=True, max_length=40)
    flooring = serializers.CharField(required=False, allow_blank=True, max_length=40)
    prompt = serializers.CharField(required=False, allow_blank=True, max_length=500)
    creativity = serializers.FloatField(required=False, default=0.5, min_value=0.0, max_value=1.0)
    seed = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=2**32 - 1)
    variations = serializers.IntegerField(required=False, default=1, min_value=1, max_value=4)
    resolution = serializers.ChoiceField(choices=RESOLUTIONS, required=False)
    callback_url = serializers.CharField(
        required=False, allow_blank=True, max_length=2000,
        help_text="Called (signed) when the design completes, fails or is cancelled; default: the token's "
                  "webhook_url. Needs token auth. Public http(s) addresses only.")
    quick = serializers.BooleanField(
        required=False, default=False,
        help_text="Quick draft: a few-step model without guidance, several times faster, a little less detail.",
    )
    mode = serializers.ChoiceField(
        choices=MODES, required=False, default="restyle",
        help_text="restyle: the whole room in the style. declutter: furniture and clutter removed, the "
                  "architecture kept. stage: an empty room furnished in the style and room type. edit: only the "
                  "area painted in `mask` changes, following `prompt`; the rest stays pixel for pixel.")
    source = serializers.UUIDField(
        required=False,
        help_text="Instead of `image`: one of your designs, whose photo is used again (e.g. to edit an area of it).")
    objects = ObjectsField(
        required=False,
        help_text='With `source` only: what to do with each object that design found, by its id in its '
                  '`metadata.furniture`: [{"id": 3, "action": "keep" | "replace" | "remove"}]. keep: its own '
                  'pixels in the result; replace: restyled; remove: taken away. Unlisted objects follow the '
                  'usual behaviour. Restyle mode, or declutter with keep only (every other object is cleared).')
    mask = serializers.FileField(
        required=False, allow_empty_file=True,
        help_text="mode edit only: a PNG, white (or opaque) where the photo should change, the photo's size or "
                  "its shape scaled (aspect within 1%). Not empty, not all white.")

    style_reference = serializers.FileField(
        required=False, allow_empty_file=True,
        help_text="A photo of a room whose look (colours, materials, mood) the design takes, beside or instead of "
                  "`style`; your room's layout stays. Checked like `image` (JPEG, PNG, WebP or HEIC, same size "
                  "limits); stored privately with the design, exported with your data, deleted with the design.")

    def validate(self, attrs: dict) -> dict:
        if attrs.get("objects") is not None and attrs.get("source") is None:
            raise serializers.ValidationError(
                {"objects": serializers.ErrorDetail("Object choices name the objects of an earlier design: "
                                                    "send its id as `source`.", code="invalid_objects")})
        if not attrs.get("style"):
            attrs.pop("style", None)  # with `source`: that design's style
            if attrs.get("source") is None:
                if attrs.get("style_reference") is None:
                    raise serializers.ValidationError({"style": "Pick a style, or give a style reference photo."},
                                                      code="required")
                attrs["style"] = references.DEFAULT_STYLE
        return attrs

    def validate_wall_color(self, value: str) -> str:
        value = value.strip()
        if value.startswith("#"):
            try:
                return normalize_hex(value)
            except InvalidPreference as error:
                raise serializers.ValidationError(str(error), code="invalid_color") from None
        return value


class DesignRestyleSerializer(serializers.Serializer):
    """"Try another style" on the design page: the same photo and choices in another style, in a mode that
    needs nothing new from the person (an edit needs a mask)."""

    style = serializers.ChoiceField(choices=sorted(STYLES))
    mode = serializers.ChoiceField(choices=[mode for mode in MODES if mode != "edit"], required=False,
                                   default="restyle")


class DesignListFilterSerializer(serializers.Serializer):
    status = serializers.CharField(required=False, allow_blank=True, help_text="Comma-separated statuses.")
    style = serializers.ChoiceField(choices=sorted(STYLES), required=False, allow_blank=True)

    def validate_status(self, value: str) -> str:
        try:
            return ",".join(status_filter_values(value))
        except InvalidFilter as error:
            raise serializers.ValidationError(str(error), code="invalid_filter") from None
