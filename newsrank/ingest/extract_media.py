"""Find an article page's photos and their captions with lxml.

Korean pages put a caption next to a photo in three ways: `<figure><img><figcaption>`, a
small `<table>` with the photo in one cell and the caption in another (older CMSs), or a `<div>`
holding the `<img>` and an element classed like `img_caption` / `photo_caption` / `caption` /
`txt-desc`. The caption keeps its credit ("사진=…", "사진 제공=…"). Tracking pixels, icons,
logos and reporters' portraits are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from newsrank.ingest.extract_meta import HtmlElement, absolute_url, squash, tokens

# Lazy-loading attributes hold the real photo; `src` is then a placeholder (blank.gif, data: URI).
_SRC_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-lazy", "data-url", "src")
# Anything smaller on either side is an icon, a button or a tracking pixel, not a news photo.
MIN_PHOTO_SIDE = 100
_NOT_A_PHOTO = re.compile(
    r"(?:^|[^a-z])(?:logo|icon|ico|ic|btn|button|banner|sprite|pixel|spacer|blank|tracker|counter|"
    r"beacon|avatar|profile|reporter|journalist|emoticon|badge|ads?|advert|arrow|arw|bullet|"
    r"share|sns|kakao|facebook|twitter|print|close)(?:[^a-z]|$)",
    re.I,
)
_CAPTION_TOKEN = re.compile(
    r"caption|(?:^|[-_])cap(?:$|[-_])|(?:img|photo|pic|image|fig|thumb)[-_]?(?:txt|text|desc|info)|"
    r"(?:txt|text)[-_]?desc|photo[-_]?explain"
)
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:[?#]|$)")
# How far up from an <img> to look for its caption before the container is the whole article.
_MAX_CONTAINER_TEXT = 400


@dataclass(frozen=True)
class Image:
    """A photo of the article, with its caption and credit as the page gives them."""

    url: str
    caption: str


@dataclass(frozen=True)
class Photo:
    """An `<img>` on the page that looks like a news photo, and the element holding its caption."""

    element: HtmlElement
    caption_element: HtmlElement | None
    image: Image


def find_photos(tree: HtmlElement, page_url: str) -> list[Photo]:
    """Every photo-like `<img>` on the page with its caption, in document order, one per URL."""
    photos: list[Photo] = []
    seen: set[str] = set()
    for img in tree.iter("img"):
        src = _photo_url(img, page_url)
        if src is None or src in seen or not _looks_like_photo(img, src):
            continue
        seen.add(src)
        caption_el = _caption_element(img)
        caption = squash(caption_el.text_content()) if caption_el is not None else ""
        if not caption:
            caption = _useful_alt(img.get("alt"))
        photos.append(Photo(img, caption_el, Image(url=src, caption=caption)))
    return photos


def _photo_url(img: HtmlElement, page_url: str) -> str | None:
    for attr in _SRC_ATTRS:
        url = absolute_url(img.get(attr), page_url)
        if url and not re.search(r"blank|spacer|placeholder|loading", url, re.I):
            return url
    srcset = (img.get("srcset") or img.get("data-srcset") or "").split(",")[0].split()
    return absolute_url(srcset[0], page_url) if srcset else None


def _looks_like_photo(img: HtmlElement, src: str) -> bool:
    for attr in ("width", "height"):
        size = (img.get(attr) or "").strip().removesuffix("px")
        if size.isdecimal() and int(size) < MIN_PHOTO_SIDE:  # '²'.isdigit(), and int() fails
            return False
    names = " ".join([src.rsplit("/", 1)[-1], img.get("alt", ""), *tokens(img)])
    if _NOT_A_PHOTO.search(names):
        return False
    # A photo linking to another page is a thumbnail of another article; a link to the full-size
    # image (or to nothing) is the usual "click to enlarge".
    for link in img.iterancestors("a"):
        href = (link.get("href") or "").strip().lower()
        if href and not href.startswith(("#", "javascript")) and not _IMAGE_FILE.search(href):
            return False
    return True


def _caption_element(img: HtmlElement) -> HtmlElement | None:
    for depth, container in enumerate(img.iterancestors()):
        if depth > 3 or container.tag in {"body", "article"}:
            return None
        if container.tag == "figure":
            return container.find(".//figcaption")
        if container.tag == "table":
            return _table_caption(container, img)
        for el in container.iter():
            if el is img or img in el.iterdescendants() or not isinstance(el.tag, str):
                continue
            is_caption = el.tag == "figcaption" or any(_CAPTION_TOKEN.search(t) for t in tokens(el))
            if is_caption and squash(el.text_content()):
                return el
        if len(squash(container.text_content())) > _MAX_CONTAINER_TEXT:
            return None
    return None


def _table_caption(table: HtmlElement, img: HtmlElement) -> HtmlElement | None:
    """The text cell of a small photo table (`<tr><td><img>` then `<tr><td>caption`)."""
    caption = table.find("caption")
    if caption is not None and squash(caption.text_content()):
        return caption
    cells = [c for c in table.iter("td", "th") if img not in c.iterdescendants()]
    texts = [c for c in cells if squash(c.text_content()) and c.find(".//img") is None]
    if 1 <= len(texts) <= 2 and len(squash(table.text_content())) <= _MAX_CONTAINER_TEXT:
        return texts[-1]
    return None


def _useful_alt(alt: str | None) -> str:
    # Outlets fill alt with placeholders ("사진설명", "이미지") or the headline; only a
    # sentence-like alt is a caption.
    alt = squash(alt)
    return (
        alt if len(alt) >= 15 and not re.fullmatch(r"(?:사진|이미지|image|photo)\S*", alt) else ""
    )


def find_photos_in(
    containers: list[HtmlElement], page_url: str, captions: Callable[[HtmlElement], list]
) -> list[Photo]:
    """One photo per container a site rule names (`figure.photo-layout`, `div.img_box`…).

    `element` is the container, so that everything in it (zoom buttons, credits) goes with the
    photo; the caption is the first non-empty result of `captions(container)`, else a useful alt.
    """
    photos: list[Photo] = []
    seen: set[str] = set()
    for container in containers:
        images = [container] if container.tag == "img" else list(container.iter("img"))
        for img in images:
            src = _photo_url(img, page_url)
            if src and src not in seen and _looks_like_photo(img, src):
                break
        else:
            continue
        seen.add(src)
        caption_el = next(
            (
                el
                for el in captions(container)
                if isinstance(el, HtmlElement) and squash(el.text_content())
            ),
            None,
        )
        caption = squash(caption_el.text_content()) if caption_el is not None else ""
        photos.append(
            Photo(
                container,
                caption_el,
                Image(url=src, caption=caption or _useful_alt(img.get("alt"))),
            )
        )
    return photos
