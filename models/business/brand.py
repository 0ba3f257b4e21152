"""The business's own look: its logo and picture, kept in the database (so that every
backup holds them and a restore brings them back), and its brand colour.

An upload is made fit for the pages by engines/images.py (scaled, upright, written again
without its metadata) and stored as the widths the pages ask for; the brand colour is
checked by engines/colour.py to keep text readable (WCAG AA) before it is saved."""

import hashlib

from peewee import BlobField, CharField, IntegerField

from engines.colour import checked_brand
from engines.images import variants
from models import BaseModel, db, read_scope
from models.privacy.declaration import PersonalData

# The widths kept of each kind of image (px), widest first: the logo for its place of
# about 100 px on the home page on a screen of any density (and 400 for print), and
# for the 40 px of every page's header (48, and 100 on a sharper screen); the picture
# for a wide screen and for a phone.
WIDTHS = {"logo": (400, 200, 100, 48), "picture": (1600, 800)}
# The logo in the header: the narrowest kept width at least this wide for an ordinary
# screen, and the narrowest at least twice it for a sharp one.
HEADER_LOGO = 40
# A logo is scaled to fit a square of its width; a picture is a landscape band at most
# this tall for its width (a taller one is cut to it around its middle).
PICTURE_TALLEST = 0.75


class BrandImage(BaseModel):
    """One width of the logo or the picture, as WebP."""

    kind = CharField(max_length=10)
    width = IntegerField()
    height = IntegerField()
    content_type = CharField(max_length=40)
    digest = CharField(max_length=16)
    data = BlobField()

    personal_data = PersonalData(
        {}, not_personal=("id", "kind", "width", "height", "content_type", "digest", "data"))

    class Meta:
        table_name = "brand_image"
        indexes = ((("kind", "width"), True),)


def store_image(kind, data):
    """Replace the logo or the picture with the upload `data`; the widths kept. Raises
    engines.images.UnusableImage for a file that is not a PNG, JPEG or WebP image."""
    return store_prepared(kind, prepared(kind, data))


def prepared(kind, data):
    """The widths of the upload `data` as `kind` is kept (engines.images.Variant)."""
    if kind == "logo":
        return variants(data, WIDTHS[kind], tallest=1.0, fit=True)
    return variants(data, WIDTHS[kind], tallest=PICTURE_TALLEST)


def store_prepared(kind, made):
    """Replace the logo or the picture with the widths `made` by `prepared`."""
    digest = hashlib.sha256(made[0].data).hexdigest()[:16]
    with db.atomic():
        BrandImage.delete().where(BrandImage.kind == kind).execute()
        for variant in made:
            BrandImage.create(kind=kind, width=variant.width, height=variant.height,
                              content_type=variant.content_type, digest=digest,
                              data=variant.data)
    return [variant.width for variant in made]


def remove_image(kind):
    """Remove the logo or the picture; whether there was one."""
    with db.atomic():
        return BrandImage.delete().where(BrandImage.kind == kind).execute() > 0


def images():
    """{kind: [BrandImage, …] widest first} without their bytes, for the pages; read
    once per request that writes nothing (models.read_scope)."""
    return read_scope.once("brand_images", _images)


def header_logo():
    """The logo for the page header as (BrandImage for an ordinary screen, BrandImage
    for a sharp one), or None when the business has no logo. A logo kept before the
    header's width was kept has the header draw its narrowest width smaller."""
    logo = images().get("logo")
    if not logo:
        return None

    def narrowest(at_least):
        return next((image for image in reversed(logo) if image.width >= at_least), logo[0])

    return narrowest(HEADER_LOGO), narrowest(2 * HEADER_LOGO)


def _images():
    found = {}
    query = (BrandImage.select(BrandImage.id, BrandImage.kind, BrandImage.width,
                               BrandImage.height, BrandImage.content_type, BrandImage.digest)
             .order_by(BrandImage.kind, BrandImage.width.desc()))
    for image in query:
        found.setdefault(image.kind, []).append(image)
    return found


def image_file(kind, width, digest):
    """The stored image of that kind, width and digest, or None."""
    return BrandImage.get_or_none((BrandImage.kind == kind) & (BrandImage.width == width)
                                  & (BrandImage.digest == digest))


def set_brand_colour(text):
    """Save the brand colour ("#rrggbb"; "" for the site's own). Raises
    engines.colour.InvalidColour for a colour text would not read on; whether it
    changed."""
    from models.business import Business  # the business imports this module's model

    colour = checked_brand(text) if text.strip() else ""
    with db.atomic():
        business = Business.current()
        if business.brand_colour == colour and business.id is not None:
            return False
        business.brand_colour = colour
        business.save()
    return True
