"""The style and room-type catalog: what users pick from, and the words the prompt is built from.

Plain data with no heavy imports: the web process serves `catalog()` to the
dashboard and the API, and validates codes against `STYLES` and `ROOM_TYPES`.

Prompt words describe surfaces, materials, furniture and light, never the
architecture (no "large windows", "high ceilings", "fireplace"): the product
promise is that walls, windows and doors stay where they are.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Style:
    code: str
    name: str
    description: str  # one line for people, shown on the style card
    keywords: tuple[str, ...]  # the core of the prompt, most important first; never dropped
    details: tuple[str, ...]  # secondary prompt words, most important first; dropped from the end when space runs out
    swatch: tuple[str, ...]  # 3-5 "#rrggbb" colours for the dashboard's style card
    negative: tuple[str, ...] = ()  # what this style should not look like


@dataclass(frozen=True)
class RoomType:
    code: str
    name: str
    description: str
    prompt: str  # how the room is named in the prompt
    # Outdoors (a facade, a garden, a patio, a balcony) the style's indoor details ("sheer curtains", "persian
    # rug") make no sense: the prompt takes the place's own `details` instead, and outdoor quality words.
    outdoor: bool = False
    details: tuple[str, ...] = ()


_STYLES = (
    Style(
        "modern", "Modern", "Clean lines, neutral tones and sleek, uncluttered furniture.",
        ("modern interior design", "clean lines", "sleek furniture"),
        ("neutral color palette", "polished surfaces", "statement lighting", "glass and metal accents",
         "low profile sofa", "abstract wall art"),
        ("#F5F5F2", "#D9D9D6", "#8C8C88", "#2B2B2B", "#C9A66B"),
        ("clutter", "ornate antique furniture", "rustic decor"),
    ),
    Style(
        "scandinavian", "Scandinavian", "Light woods, soft whites and cosy textiles with a calm, airy feel.",
        ("scandinavian interior design", "light oak wood", "cozy hygge"),
        ("white walls", "soft natural light", "wool and linen textiles", "minimal decor", "indoor plants",
         "pale wood floor"),
        ("#FFFFFF", "#EDE6DB", "#C8B59A", "#8A9A8B", "#3E3E3E"),
        ("dark heavy furniture", "clutter", "ornate decor"),
    ),
    Style(
        "boho", "Boho", "Layered textiles, rattan and plants in warm, earthy colours with a relaxed, collected feel.",
        ("bohemian interior design", "rattan furniture", "layered textiles"),
        ("macrame wall hanging", "lush indoor plants", "patterned kilim rug", "earthy warm tones", "floor cushions",
         "woven baskets"),
        ("#C8744B", "#E3C9A5", "#7A8450", "#F2E8D8", "#8B4F3A"),
        ("sterile", "cold minimalism"),
    ),
    Style(
        "industrial", "Industrial", "Exposed brick, black metal and reclaimed wood, like a converted loft.",
        ("industrial loft interior", "exposed brick", "black metal fixtures"),
        ("reclaimed wood", "exposed ductwork", "edison bulb lighting", "leather sofa", "polished concrete floor",
         "steel frame shelving"),
        ("#3B3B3B", "#8E5B3E", "#A7A39C", "#D6D2CB", "#1F1F1F"),
        ("frilly decor", "ornate decor", "pastel nursery decor"),
    ),
    Style(
        "minimalist", "Minimalist", "Only what is needed: simple forms, calm neutrals and empty surfaces.",
        ("minimalist interior design", "uncluttered space", "simple forms"),
        ("neutral tones", "hidden storage", "few carefully chosen pieces", "matte finishes", "soft diffused light"),
        ("#FAFAFA", "#E8E6E1", "#BDB8AE", "#6E6A64", "#1E1E1E"),
        ("clutter", "busy patterns", "ornate decor", "many objects"),
    ),
    Style(
        "mid_century_modern", "Mid-Century Modern", "Teak, tapered legs and retro shapes from the 1950s and 60s.",
        ("mid-century modern interior", "teak furniture", "tapered wooden legs"),
        ("eames style lounge chair", "retro 1960s decor", "geometric patterns", "sputnik chandelier",
         "mustard and teal accents", "walnut sideboard"),
        ("#D9A441", "#2F6E6A", "#8B5A2B", "#E8DCC4", "#C4572E"),
        ("futuristic", "rustic farmhouse decor"),
    ),
    Style(
        "japandi", "Japandi", "Japanese calm meets Scandinavian warmth: low furniture, natural materials, muted tones.",
        ("japandi interior design", "japanese scandinavian fusion", "natural materials"),
        ("low wooden furniture", "wabi-sabi ceramics", "linen textiles", "muted earthy tones", "paper lanterns",
         "bonsai plant"),
        ("#EAE3D6", "#C2B29A", "#8C7B65", "#4A4A42", "#2E2A26"),
        ("clutter", "glossy surfaces", "ornate decor"),
    ),
    Style(
        "coastal", "Coastal", "Breezy whites and ocean blues with linen, rattan and driftwood.",
        ("coastal interior design", "beach house style", "light breezy atmosphere"),
        ("white and ocean blue tones", "natural linen", "rattan and driftwood accents", "striped textiles",
         "sheer curtains", "seagrass rug"),
        ("#FFFFFF", "#A9CCE3", "#2E6F95", "#E8DCC5", "#C2B280"),
        ("dark heavy decor", "industrial decor"),
    ),
    Style(
        "farmhouse", "Farmhouse", "Modern country comfort: reclaimed wood, shiplap, black metal and vintage finds.",
        ("modern farmhouse interior", "reclaimed wood accents", "cozy country charm"),
        ("white shiplap walls", "black metal fixtures", "vintage accents", "woven baskets", "neutral linen textiles",
         "wide plank wood floor"),
        ("#F4F1EA", "#D8CBB5", "#8A7560", "#3C3C3C", "#7D8B74"),
        ("futuristic", "glossy plastic"),
    ),
    Style(
        "traditional", "Traditional", "Classic, symmetrical and elegant, with rich woods and timeless fabrics.",
        ("traditional interior design", "classic elegant furniture", "rich wood tones"),
        ("tufted upholstery", "crown molding", "damask patterns", "symmetrical arrangement", "brass table lamps",
         "persian rug"),
        ("#6B2E2E", "#C9A96E", "#2F3E56", "#E9E0CF", "#4A3426"),
        ("ultra modern design", "industrial decor"),
    ),
    Style(
        "art_deco", "Art Deco", "1920s glamour: bold geometry, brass, velvet and marble.",
        ("art deco interior design", "bold geometric patterns", "brass and gold accents"),
        ("velvet upholstery", "emerald and black palette", "marble surfaces", "lacquered furniture",
         "glamorous 1920s style", "fan motifs"),
        ("#0F5E4B", "#D4AF37", "#111111", "#F2E6D0", "#7A1F3D"),
        ("rustic decor", "shabby furniture"),
    ),
    Style(
        "rustic", "Rustic", "Rough-hewn wood, natural stone and warm textiles, like a mountain lodge.",
        ("rustic interior design", "rough hewn wood", "natural stone"),
        ("cabin style", "warm earthy tones", "wool throws", "wrought iron accents", "wooden ceiling beams",
         "cozy lodge atmosphere"),
        ("#6B4226", "#A67B5B", "#D9C3A5", "#4F5D3A", "#2E2B28"),
        ("glossy plastic", "futuristic", "sterile"),
    ),
    Style(
        "contemporary", "Contemporary", "Today's look: soft curves, mixed textures and a refined neutral palette.",
        ("contemporary interior design", "sophisticated neutral palette", "curved furniture"),
        ("mixed textures", "statement pendant light", "abstract art", "boucle armchair", "warm ambient lighting",
         "natural stone accents"),
        ("#EFEBE6", "#CFC6BA", "#9C8F80", "#3A3A3A", "#B08D57"),
        ("dated decor", "clutter"),
    ),
    Style(
        "mediterranean", "Mediterranean", "Sun-washed plaster, terracotta, wrought iron and blue-and-white ceramics.",
        ("mediterranean interior design", "whitewashed plaster", "terracotta accents"),
        ("terracotta tile floor", "wrought iron accents", "blue and white ceramics", "potted olive trees",
         "warm sunlight", "rustic wooden beams"),
        ("#F3EBDD", "#C8643B", "#2D5D8C", "#8A8B5A", "#E0B25B"),
        ("cold industrial decor", "futuristic"),
    ),
    Style(
        "french_country", "French Country", "Provençal charm: painted furniture, toile, soft blues and creams.",
        ("french country interior", "provencal charm", "distressed painted furniture"),
        ("toile fabrics", "soft blue and cream tones", "wrought iron chandelier", "linen drapes", "antique accents",
         "fresh lavender"),
        ("#F2EBDD", "#A7B8C8", "#D9C7A7", "#8C9A7B", "#6F5B4B"),
        ("ultra modern design", "industrial decor"),
    ),
    Style(
        "tropical", "Tropical", "Lush greenery, rattan and bamboo, and light fabrics for a resort feel.",
        ("tropical interior design", "lush green plants", "rattan and bamboo furniture"),
        ("palm leaf prints", "light airy fabrics", "teak wood", "vibrant green accents", "ceiling fan",
         "resort atmosphere"),
        ("#1F6F4A", "#8DBF7F", "#E8D8B0", "#C87D4A", "#FFFFFF"),
        ("dark heavy decor", "cold industrial decor"),
    ),
    Style(
        "hollywood_glam", "Hollywood Glam", "Velvet, mirrors, gold and crystal: dramatic and luxurious.",
        ("hollywood regency interior", "velvet and mirrored furniture", "gold accents"),
        ("crystal chandelier", "high gloss lacquer", "plush faux fur", "bold jewel tones", "dramatic lighting",
         "tufted upholstery"),
        ("#111111", "#FFFFFF", "#D4AF37", "#B76E79", "#2C3E73"),
        ("rustic decor", "shabby furniture"),
    ),
    Style(
        "maximalist", "Maximalist", "More is more: bold colour, layered patterns and curated collections.",
        ("maximalist interior design", "bold patterns and colors", "eclectic curated decor"),
        ("gallery wall of art", "layered rugs", "jewel toned velvet", "patterned wallpaper", "collected objects",
         "abundant plants"),
        ("#8E2C48", "#1D5C63", "#E2A73B", "#3A2F6B", "#F0E2C9"),
        ("bare", "sterile", "empty room"),
    ),
    Style(
        "cottagecore", "Cottagecore", "English cottage charm: florals, vintage wood and soft pastels.",
        ("cottagecore interior", "english cottage charm", "floral fabrics"),
        ("vintage wooden furniture", "lace and embroidery", "dried flowers", "soft pastel tones", "handmade crafts",
         "warm candlelight"),
        ("#F4E9DC", "#E8B4B8", "#A8B89A", "#C9A27E", "#6E5A4B"),
        ("futuristic", "industrial decor"),
    ),
    Style(
        "victorian", "Victorian", "Ornate carved wood, rich jewel tones, velvet and antique brass.",
        ("victorian interior design", "ornate carved wood furniture", "rich jewel tones"),
        ("patterned wallpaper", "velvet drapes", "antique brass fixtures", "chesterfield sofa", "gilded mirrors",
         "oriental rug"),
        ("#5B1A2E", "#2F4A3A", "#B08D57", "#E6D5B8", "#2A1E1A"),
        ("minimalist decor", "ultra modern design"),
    ),
    Style(
        "transitional", "Transitional", "Classic comfort with modern restraint: soft neutrals, clean-lined classics.",
        ("transitional interior design", "classic meets modern", "soft neutral palette"),
        ("clean lined upholstered sofa", "subtle textures", "brushed nickel accents", "tailored drapes",
         "understated decor", "layered neutral rug"),
        ("#F1EEE9", "#D6CFC4", "#A39A8C", "#5E5850", "#8A9BA8"),
        ("clutter", "ornate antique furniture", "bold neon colors"),
    ),
    Style(
        "eclectic", "Eclectic", "A confident mix of eras, colours and finds that still feels put together.",
        ("eclectic interior design", "mix of eras and styles", "curated vintage finds"),
        ("bold accent colors", "mixed patterns", "statement art", "vintage rug", "mismatched chairs",
         "global textiles"),
        ("#E4572E", "#17BEBB", "#FFC914", "#2E282A", "#F3EFE0"),
        ("sterile", "bland decor"),
    ),
    Style(
        "shabby_chic", "Shabby Chic", "Soft, romantic and worn-in: distressed white furniture, florals and pastels.",
        ("shabby chic interior", "distressed white painted furniture", "romantic vintage charm"),
        ("faded floral fabrics", "soft pastel pink and cream", "ruffled linens", "antique mirrors",
         "crystal accents", "whitewashed wood"),
        ("#FBF7F2", "#F2D7D5", "#D8E2DC", "#C9B8A8", "#9A8C7E"),
        ("industrial decor", "dark heavy furniture", "futuristic"),
    ),
    Style(
        "wabi_sabi", "Wabi-Sabi", "Beauty in imperfection: raw plaster, handmade ceramics and weathered wood.",
        ("wabi-sabi interior design", "imperfect natural textures", "raw earthy materials"),
        ("limewash plaster walls", "handmade ceramics", "weathered wood", "linen in muted tones",
         "dried branches", "soft shadowy light"),
        ("#E9E4DA", "#CDBFAA", "#A08E78", "#6B5E4F", "#3B342C"),
        ("glossy surfaces", "plastic", "bright saturated colors"),
    ),
    Style(
        "bauhaus", "Bauhaus", "Form follows function: tubular steel, primary colours and pure geometry.",
        ("bauhaus interior design", "tubular steel furniture", "primary color accents"),
        ("geometric forms", "functional design", "leather and chrome chairs", "white walls",
         "graphic rug", "globe pendant light"),
        ("#F4F1EA", "#D7263D", "#1B4F9C", "#F2C12E", "#1A1A1A"),
        ("ornate decor", "rustic decor", "frilly fabrics"),
    ),
    Style(
        "moroccan", "Moroccan", "Zellige tiles, carved wood, brass lanterns and rich, warm colours.",
        ("moroccan interior design", "zellige tiles", "brass lanterns"),
        ("carved wooden screens", "rich jewel tones", "low floor seating", "berber rug", "arched motifs",
         "embroidered cushions"),
        ("#B5472A", "#1F6F8B", "#D9A441", "#F3E3C7", "#5A2E2A"),
        ("sterile", "cold minimalism"),
    ),
    Style(
        "hamptons", "Hamptons", "Relaxed East Coast luxury: crisp white, navy, natural linen and timber.",
        ("hamptons style interior", "crisp white and navy", "relaxed coastal luxury"),
        ("natural linen slipcovers", "timber floor", "rattan accents", "striped cushions", "hydrangeas in vases",
         "polished nickel lights"),
        ("#FFFFFF", "#1F3A5F", "#C9D6E3", "#D8C7A8", "#8C7B6B"),
        ("dark heavy decor", "industrial decor"),
    ),
    Style(
        "neoclassical", "Neoclassical", "Greek and Roman calm: symmetry, pale stone, gilded detail and muted elegance.",
        ("neoclassical interior design", "symmetrical classical elegance", "marble and stone"),
        ("greek key motifs", "gilded details", "muted cream and grey", "classical sculpture", "fluted details",
         "crystal chandelier"),
        ("#F4EFE6", "#D9D2C5", "#A9A295", "#C2A25A", "#4F4A45"),
        ("rustic decor", "clutter", "industrial decor"),
    ),
    Style(
        "biophilic", "Biophilic", "Bring nature in: abundant plants, natural wood and stone, green and daylight.",
        ("biophilic interior design", "abundant living plants", "natural wood and stone"),
        ("living green wall", "organic shapes", "earthy green palette", "natural fibers", "hanging planters",
         "soft daylight"),
        ("#2F5D3A", "#7FA36B", "#C9D8B6", "#A67C52", "#EFEAE0"),
        ("sterile", "artificial plastic", "glossy surfaces"),
    ),
    Style(
        "southwestern", "Southwestern", "Desert warmth: terracotta, adobe tones, woven textiles and cactus.",
        ("southwestern interior design", "desert warm tones", "navajo woven textiles"),
        ("terracotta and turquoise accents", "adobe plaster walls", "leather and wood furniture", "potted cactus",
         "saltillo tile floor", "handwoven baskets"),
        ("#C1653B", "#E6B98C", "#3E8E8A", "#F2E4CF", "#6E3B2A"),
        ("cold industrial decor", "futuristic"),
    ),
    Style(
        "retro", "Retro", "1970s fun: warm oranges and browns, shag, curvy shapes and wood panelling.",
        ("retro 1970s interior", "warm orange and brown tones", "curvy vintage furniture"),
        ("shag rug", "wood paneling", "globe lamps", "patterned wallpaper", "velvet sofa", "houseplants in macrame"),
        ("#D35400", "#8E5B2F", "#E8B04B", "#6B7F3A", "#F1E3C8"),
        ("futuristic", "sterile", "minimalist decor"),
    ),
)

_ROOM_TYPES = (
    RoomType("living_room", "Living room", "Where you relax and receive guests.", "living room"),
    RoomType("bedroom", "Bedroom", "A calm place to sleep and unwind.", "bedroom"),
    RoomType("kitchen", "Kitchen", "Cooking space with cabinets, counters and appliances.", "kitchen"),
    RoomType("bathroom", "Bathroom", "Bath, shower, basin and toilet.", "bathroom"),
    RoomType("dining_room", "Dining room", "Table and chairs for shared meals.", "dining room"),
    RoomType("home_office", "Home office", "A focused place to work from home.", "home office"),
    RoomType("kids_room", "Kids' room", "A playful, practical room for children.", "children's bedroom"),
    RoomType("nursery", "Nursery", "A soft, soothing room for a baby.", "baby nursery"),
    RoomType("basement", "Basement", "A lower-level family room, den or rec room.", "finished basement"),
    RoomType("attic", "Attic", "A room under the roof with sloped ceilings.", "attic room"),
    RoomType("gaming_room", "Gaming room", "Screens, comfortable seating and mood lighting for play.",
             "gaming room"),
    RoomType("hallway", "Hallway", "Entrance, corridor or landing.", "hallway"),
    RoomType("laundry_room", "Laundry room", "Washer, dryer and storage.", "laundry room"),
    RoomType("walk_in_closet", "Walk-in closet", "Dressing room with open storage.", "walk-in closet"),
    RoomType("sunroom", "Sunroom", "A bright room full of daylight, for plants and lounging.", "sunroom"),
    RoomType("home_gym", "Home gym", "Room to train: equipment, mirrors and a durable floor.", "home gym"),
    RoomType("home_theater", "Home theater", "A big screen, deep seating and dimmable light.", "home theater room"),
    RoomType("library", "Library", "Bookshelves and a comfortable chair to read in.", "home library"),
    RoomType("playroom", "Playroom", "Open floor, low storage and space for games.", "children's playroom"),
    RoomType("studio_apartment", "Studio apartment", "Living, sleeping and cooking in one open room.",
             "studio apartment"),
    RoomType("mudroom", "Mudroom", "Where coats, boots and bags land by the back entrance.", "mudroom"),
    RoomType("wine_cellar", "Wine cellar", "Racks, a tasting table and cool, low light.", "wine cellar"),
    RoomType("patio", "Patio", "A paved outdoor sitting area or terrace.", "outdoor patio", outdoor=True,
             details=("outdoor lounge furniture", "potted plants", "outdoor rug", "string lights", "paved terrace",
                      "weatherproof cushions")),
    RoomType("balcony", "Balcony", "A small outdoor space off an apartment.", "city apartment balcony", outdoor=True,
             details=("compact outdoor seating", "planters with greenery", "outdoor rug", "lanterns",
                      "bistro table")),
    RoomType("garden", "Garden", "A back or front garden: planting, paths and places to sit.", "garden",
             outdoor=True,
             details=("landscaped planting beds", "stone pathway", "lush lawn", "garden seating", "outdoor lighting",
                      "ornamental shrubs")),
    RoomType("facade", "Facade", "The front of a house seen from outside: cladding, colour, planting.",
             "house facade, exterior view", outdoor=True,
             details=("exterior cladding", "entrance planters", "outdoor wall lights", "landscaped front yard",
                      "house number plaque")),
)

# COCO labels (what the detector reports) and how strongly each points to a room. Weighted because many
# objects appear in several rooms: a TV in a bedroom must not outvote the bed, a sink is in kitchens and
# bathrooms alike, and a teddy bear on a bed means a child's room.
_DETECTION_WEIGHTS: dict[str, dict[str, int]] = {
    "toilet": {"bathroom": 5},
    "toothbrush": {"bathroom": 2},
    "hair drier": {"bathroom": 1},
    "sink": {"kitchen": 1, "bathroom": 1},
    "oven": {"kitchen": 3},
    "refrigerator": {"kitchen": 3},
    "microwave": {"kitchen": 3},
    "toaster": {"kitchen": 3},
    "bed": {"bedroom": 2},
    "teddy bear": {"kids_room": 3},
    "dining table": {"dining_room": 2},
    "wine glass": {"dining_room": 1},
    "laptop": {"home_office": 1},
    "keyboard": {"home_office": 1},
    "mouse": {"home_office": 1},
    "couch": {"living_room": 2},
    "tv": {"living_room": 1},
    "remote": {"living_room": 1},
}

STYLES: dict[str, Style] = {style.code: style for style in _STYLES}
ROOM_TYPES: dict[str, RoomType] = {room.code: room for room in _ROOM_TYPES}


def for_room(style: Style, room_code: str | None) -> Style:
    """The style's prompt words for one place: outdoors, the place's own details replace the style's indoor ones
    (its core words and swatch stay), and "indoor room" joins what it should not look like."""
    room = ROOM_TYPES.get(room_code or "")
    if room is None or not room.outdoor:
        return style
    return replace(style, details=room.details, negative=("indoor room", *style.negative))


def catalog() -> dict:
    """What the API and the dashboard show: codes, names, descriptions and swatches, no prompt internals."""
    return {
        "styles": [
            {"code": s.code, "name": s.name, "description": s.description, "swatch": list(s.swatch)}
            for s in _STYLES
        ],
        "room_types": [{"code": r.code, "name": r.name, "description": r.description} for r in _ROOM_TYPES],
    }


def suggest_room_type(labels: Iterable[str]) -> str | None:
    """The room type that the detected objects point to most, or None when nothing points anywhere.

    Ties go to the room listed first in the catalog, so the answer is stable.
    """
    scores = dict.fromkeys(ROOM_TYPES, 0)
    for label in labels:
        for code, weight in _DETECTION_WEIGHTS.get(label, {}).items():
            scores[code] += weight
    best = max(scores, key=lambda code: scores[code])
    return best if scores[best] else None
