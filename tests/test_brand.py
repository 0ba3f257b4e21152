"""The business's own look: the logo and the picture (made fit, without their metadata,
served from the site itself and kept in backups), the brand colour (readable, WCAG AA),
service categories and descriptions, staff introductions, and the home page that shows
them like a salon's page."""

import html
import io
import re

import pytest
from PIL import Image
from support import AINO, CLASSIC_30, post

import models
from engines import colour
from engines.colour import InvalidColour, checked_brand, contrast_ratio, text_on
from engines.images import UnusableImage, variants
from models.business import Business
from models.business.brand import BrandImage, store_image
from models.business.catalogue import Service, StaffMember
from models.demo import BRAND_COLOUR

BACK_OFFICE_LANGUAGE = "en"


def photo(width=3000, height=2000, fmt="JPEG", gps=True):
    """A photo as a phone sends it: large, with the camera and where it was taken."""
    image = Image.new("RGB", (width, height), (180, 120, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"
    if gps:
        exif[0x8825] = {1: "N", 2: (60.0, 10.0, 0.0), 3: "E", 4: (24.0, 56.0, 0.0)}
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def upload(client, kind, data, name="photo.jpg"):
    return post(client, f"/staff/settings/look/{kind}",
                {f"{kind}-image": (io.BytesIO(data), name)})


def stored(kind):
    with models.db.connection_context():
        return list(BrandImage.select().where(BrandImage.kind == kind)
                    .order_by(BrandImage.width.desc()))


def urls(page, kind):
    return re.findall(rf'/brand/{kind}/\d+/[0-9a-f]+\.webp', page)


# The contrast ratio (engines/colour.py) -------------------------------------------

def test_contrast_ratio_follows_wcag():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#fff", "#fff") == pytest.approx(1)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#777777", "#ffffff") < 4.5  # the grey that just fails AA
    assert text_on("#1f5f8b") == colour.WHITE and text_on("#ffe066") == colour.DARK


def test_every_colour_of_the_palette_passes_aa_and_a_pale_one_is_refused():
    for value, _name in colour.PALETTE:
        assert contrast_ratio(value, colour.WHITE) >= 4.5
        assert checked_brand(value) == value
    with pytest.raises(InvalidColour) as refused:
        checked_brand("#ffcc00")
    assert refused.value.code == "contrast" and refused.value.ratio < 2
    with pytest.raises(InvalidColour) as refused:
        checked_brand("blue; background: url(x)")
    assert refused.value.code == "format"
    assert checked_brand(" #2D6A4F ") == "#2d6a4f" and checked_brand("#333") == "#333333"


# Pictures made fit (engines/images.py) ----------------------------------------------

def test_an_upload_is_scaled_turned_into_webp_and_loses_its_metadata():
    made = variants(photo(), (1600, 800))
    assert [(v.width, v.height) for v in made] == [(1600, 1067), (800, 533)]
    for variant in made:
        image = Image.open(io.BytesIO(variant.data))
        assert image.format == "WEBP"
        assert not image.getexif() and "exif" not in image.info
        assert b"PhoneMaker" not in variant.data


def test_a_small_image_is_not_made_larger_and_a_tall_logo_fits_a_square():
    small = variants(photo(500, 300, "PNG", gps=False), (1600, 800))
    assert [(v.width, v.height) for v in small] == [(500, 300)]
    tall = variants(photo(300, 900, "PNG", gps=False), (400, 200), tallest=1.0, fit=True)
    assert [(v.width, v.height) for v in tall] == [(133, 400), (67, 200)]


@pytest.mark.parametrize("data", [
    b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    b"%PDF-1.4 not a picture",
    b"<svg xmlns='http://www.w3.org/2000/svg'/>",
])
def test_what_is_not_a_png_jpeg_or_webp_is_refused(data):
    with pytest.raises(UnusableImage):
        variants(data, (400,))


def test_a_gif_is_refused_as_the_wrong_kind():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(UnusableImage) as refused:
        variants(out.getvalue(), (400,))
    assert refused.value.code == "wrong_type"


# The owner's page ------------------------------------------------------------------

def test_the_owner_uploads_a_picture_that_the_home_page_shows_from_the_site_itself(
        owner_client, client):
    response = upload(owner_client, "picture", photo())
    assert response.status_code == 303
    kept = stored("picture")
    assert [(image.width, image.height) for image in kept] == [(1600, 1067), (800, 533)]
    assert all(b"PhoneMaker" not in bytes(image.data) for image in kept)
    home = client.get("/").text
    [shown] = re.findall(r'<img class="hero-picture"[^>]*>', home)
    assert 'width="800" height="533"' in shown and "1600w" in shown and "800w" in shown
    for url in set(urls(home, "picture")):
        answer = client.get(url)
        assert answer.status_code == 200 and answer.mimetype == "image/webp"
        assert "immutable" in answer.headers["Cache-Control"]
        assert client.get(url, headers={"If-None-Match": answer.headers["ETag"]}).status_code == 304
    assert client.get("/brand/picture/800/0000000000000000.webp").status_code == 404


def test_a_wrong_kind_of_file_is_refused_at_the_field_in_the_owners_language(owner_client):
    owner_client.set_cookie("lang", "fi")
    before = stored("logo")
    response = upload(owner_client, "logo", b"%PDF-1.4 a document", "lasku.pdf")
    assert response.status_code == 422
    assert 'id="logo-image-error"' in response.text
    assert "PNG, JPEG" in response.text and "Valitse" in response.text
    assert stored("logo") == before
    assert upload(owner_client, "logo", b"").status_code == 422  # no file chosen


def test_an_upload_larger_than_other_requests_reaches_the_owners_form(owner_client):
    # 400 KB: above the 256 KB of any other form (werkzeug's test client leaves a file
    # of its own open above 500 KB).
    data = photo(2400, 1600, "PNG", gps=False)
    big = data + b"\0" * (400 * 1024 - len(data))
    assert len(big) > 256 * 1024
    response = upload(owner_client, "logo", big, "logo.png")
    assert response.status_code == 303, response.text[:300]
    assert [image.width for image in stored("logo")] == [400, 200, 100, 48]


def test_staff_cannot_change_the_look(staff_client):
    assert upload(staff_client, "logo", photo()).status_code == 403
    assert post(staff_client, "/staff/settings/look/colour",
                {"brand-colour": "#b3261e"}).status_code == 403


@pytest.mark.parametrize("url", ["/", "/book", f"/book/{CLASSIC_30}", "/contact", "/privacy",
                                 "/my-data", "/no-such-page"])
def test_every_public_header_shows_the_logo_small_and_sharp(client, shop, url):
    header = client.get(url).text.split('<header class="site-header">', 1)[1]
    header = header.split("</header>", 1)[0]
    logo = re.search(r'<img class="site-logo"[^>]*>', header).group(0)
    # The 48 px width for an ordinary screen, 100 px for a sharp one, from this site,
    # its size set so that nothing moves as it arrives; the name beside it is the text.
    assert re.search(r'src="/brand/logo/48/[0-9a-f]{16}\.webp"', logo)
    assert re.search(r'srcset="/brand/logo/48/\w+\.webp 1x, /brand/logo/100/\w+\.webp 2x"', logo)
    assert 'width="48" height="48"' in logo and 'alt=""' in logo
    assert "Hyvän Olon Hieronta (demo)" in header
    image = client.get(re.search(r'src="([^"]+)"', logo).group(1))
    assert image.status_code == 200 and image.mimetype == "image/webp"


def test_a_logo_kept_before_the_headers_width_is_drawn_from_its_narrowest(client, shop):
    with models.db.connection_context():
        BrandImage.delete().where((BrandImage.kind == "logo")
                                  & (BrandImage.width == 48)).execute()
    logo = re.search(r'<img class="site-logo"[^>]*>', client.get("/book").text).group(0)
    assert 'src="/brand/logo/100/' in logo and "srcset" not in logo


def test_the_owner_removes_the_logo(owner_client, client):
    assert stored("logo")  # the demo's monogram
    assert post(owner_client, "/staff/settings/look/logo/remove").status_code == 303
    assert stored("logo") == []
    assert 'class="site-logo"' not in client.get("/").text


def test_a_colour_of_the_palette_is_saved_and_reaches_every_page_through_brand_css(
        owner_client, client):
    response = post(owner_client, "/staff/settings/look/colour", {"brand-colour": "#b3261e"},
                    htmx=True)
    assert response.status_code == 200 and "The brand colour is saved." in response.text
    with models.db.connection_context():
        assert Business.current().brand_colour == "#b3261e"
    page = client.get("/book").text
    [link] = re.findall(r'href="(/brand\.css\?v=[0-9a-f]+)"', page)
    css = client.get(link)
    assert css.mimetype == "text/css"
    assert ":root{--brand:#b3261e;--brand-text:#ffffff}" in css.text
    assert "immutable" in css.headers["Cache-Control"]
    assert client.get("/brand.css", headers={"If-None-Match": css.headers["ETag"]}
                      ).status_code == 304
    assert client.get("/brand.css").headers["Cache-Control"] == "no-cache"


def test_an_own_colour_text_cannot_be_read_on_is_refused_with_the_ratio(owner_client):
    owner_client.set_cookie("lang", "fi")
    response = post(owner_client, "/staff/settings/look/colour",
                    {"brand-colour": "own", "brand-own": "#ffcc00"}, htmx=True)
    assert response.status_code == 422
    assert 'id="brand-own-error"' in response.text and "1,5:1" in response.text
    assert 'value="#ffcc00"' in response.text  # what was typed is kept
    with models.db.connection_context():
        assert Business.current().brand_colour == BRAND_COLOUR
    assert post(owner_client, "/staff/settings/look/colour",
                {"brand-colour": "own", "brand-own": "#1a4d2e"}).status_code == 303
    with models.db.connection_context():
        assert Business.current().brand_colour == "#1a4d2e"


def test_a_colour_outside_the_form_is_refused(owner_client):
    response = post(owner_client, "/staff/settings/look/colour",
                    {"brand-colour": "red; } body { display: none"})
    assert response.status_code == 422


def test_service_category_and_staff_introduction_are_saved_by_the_owner(owner_client, client):
    page = owner_client.get(f"/staff/settings/services/{CLASSIC_30}").text
    assert 'list="category_fi-known"' in page and '<option value="Hieronta">' in page
    with models.db.connection_context():
        service = Service.get_by_id(CLASSIC_30)
        form = {"name_fi": service.name_fi, "duration_minutes": "30", "price": "39,00",
                "vat_percent": "25,5", "buffer_minutes": "10", "position": "0",
                "active": "y", "staff": str(AINO), "category_fi": "Pikahoidot",
                "description_fi": "Lyhyt ja tehokas."}
    assert post(owner_client, f"/staff/settings/services/{CLASSIC_30}", form).status_code == 303
    member_form = {"name": "Aino Esimerkki", "active": "y", "services": str(CLASSIC_30),
                   "intro_fi": "Aino on hieronut vuodesta 2015."}
    assert post(owner_client, f"/staff/settings/staff/{AINO}", member_form).status_code == 303
    home = client.get("/").text
    assert '<h3 class="menu-category">Pikahoidot</h3>' in home
    assert "Lyhyt ja tehokas." in home and "Aino on hieronut vuodesta 2015." in home


# The home page ----------------------------------------------------------------------

def test_the_home_page_reads_like_a_salons_page(client, shop):
    page = client.get("/").text
    hero = page.split('class="hero', 1)[1].split("</section>", 1)[0]
    assert 'class="hero-picture"' in hero and 'class="site-logo"' in page
    assert "Hyvän Olon Hieronta (demo)" in hero and 'href="/book"' in hero
    categories = re.findall(r'<h3 class="menu-category">([^<]+)</h3>', page)
    assert categories == ["Hieronta", "Kotikäynnit"]
    assert "Koko kehon rauhallinen hieronta." in page and "65,00\xa0€" in page
    assert "60 min" in page and f'href="/book/{CLASSIC_30}"' in page
    assert "Aino Esimerkki" in page and "kymmenen vuotta alalla" in page
    assert "Rauhallinen klassinen hieronta on Eeron erikoisala." in page
    assert "9.00–18.00" in page and "Esimerkkikatu 1 A" in page
    for image in re.findall(r"<img [^>]*>", page):
        assert 'width="' in image and 'height="' in image and 'src="/brand/' in image
    client.set_cookie("lang", "sv")
    page = client.get("/").text
    assert re.findall(r'<h3 class="menu-category">([^<]+)</h3>', page) == ["Massage", "Hembesök"]
    assert "Utbildad massör" in page


def test_the_home_page_has_a_meta_description_from_the_business_text(client, shop):
    page = client.get("/").text
    [description] = re.findall(r'<meta name="description" content="([^"]+)">', page)
    assert description.startswith("Tämä on Vuoron esittelyyritys")
    assert len(description) <= 155 and description.endswith("…") and "\n" not in description
    client.set_cookie("lang", "en")
    [description] = re.findall(r'<meta name="description" content="([^"]+)">',
                               client.get("/").text)
    assert html.unescape(description).startswith("This is Vuoro's demo business")


def test_without_categories_pictures_or_colour_the_home_page_still_works(client, shop):
    with models.db.connection_context():
        Service.update(category_fi="", category_sv="", category_en="").execute()
        StaffMember.update(intro_fi="", intro_sv="", intro_en="").execute()
        BrandImage.delete().execute()
        Business.update(brand_colour="").execute()
    page = client.get("/").text
    assert "menu-category" not in page and "<img" not in page
    assert 'class="menu-name">Klassinen hieronta 60 min</h3>' in page
    assert "--brand" not in client.get("/brand.css").text


def test_the_demo_look_is_drawn_here_and_stored_in_the_database(shop):
    with models.db.connection_context():
        kinds = {(image.kind, image.width) for image in BrandImage.select()}
    assert kinds == {("logo", 400), ("logo", 200), ("logo", 100), ("logo", 48), ("picture", 1600),
                     ("picture", 800)}


def test_store_image_replaces_the_earlier_one(shop):
    with models.db.connection_context():
        first = store_image("picture", photo(2000, 1000, gps=False))
        assert first == [1600, 800]
        store_image("picture", photo(1000, 500, "PNG", gps=False))
        assert [image.width for image in stored("picture")] == [1000, 800]


def test_a_staff_introduction_is_declared_the_persons_own_data():
    from models.privacy.declaration import STAFF

    declared = StaffMember.personal_data.fields
    assert all(declared[f"intro_{language}"] is STAFF for language in ("fi", "sv", "en"))
