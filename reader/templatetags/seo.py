"""Tags for canonical URLs, share metadata and JSON-LD (see reader/seo.py)."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.encoding import iri_to_uri

from reader import fragments, seo, share
from reader.site_urls import site_url

register = template.Library()


@register.simple_tag
def site_url_for(view_name, *args):
    """The address of a named URL on the public site (``site_urls.site_url``)."""
    return site_url(reverse(view_name, args=args))


@register.simple_tag(takes_context=True)
def canonical_url(context, path=None):
    """This page's one address: SITE_URL + path, plus ?page=N beyond page 1.

    Views may add query parameters that make a page distinct (the search
    query) as ``canonical_params``; anything else in the query string is not
    part of the canonical address.
    """
    request = context.get("request")
    path = path or (request.path if request else "/")
    params = dict(context.get("canonical_params") or {})
    page_obj = context.get("page_obj")
    if page_obj is not None and page_obj.number > 1:
        params["page"] = page_obj.number
    query = f"?{urlencode(params)}" if params else ""
    return f"{site_url(iri_to_uri(path))}{query}"


@register.simple_tag
def site_description():
    return seo.SITE_DESCRIPTION


@register.simple_tag
def share_image(image=None):
    """The page's share image, or the site's default one."""
    return image or seo.site_image()


@register.filter
def cover_share_image(article):
    return seo.article_image(article)


@register.filter
def absolute(url):
    return seo.absolute_url(str(url))


@register.simple_tag
def share_links(article):
    """The article's share links (``reader.share``), on its canonical address."""
    return share.share_links(
        seo.absolute_url(article.get_absolute_url()), article.title
    )


@register.simple_tag
def article_json_ld(article):
    return seo.json_ld(seo.article_data(article))


@register.simple_tag
def author_json_ld(author):
    return seo.json_ld(seo.author_data(author))


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, parts):
        self.nodelist, self.name, self.parts = nodelist, name, parts

    def render(self, context):
        parts = tuple(str(part.resolve(context)) for part in self.parts)
        return fragments.get_or_render(
            context.get("fragment_version"),
            self.name,
            parts,
            lambda: self.nodelist.render(context),
            context.get("fragments_prefetched"),
        )


@register.tag
def fragment(parser, token):
    """``{% fragment "name" part... %}...{% endfragment %}``: the content kept
    rendered while public content is unchanged (see reader/fragments.py).

    Stored only when the view put a ``fragment_version`` in the context; the
    parts tell apart what the content depends on besides public content.
    Those the view read together beforehand (``fragments_prefetched``, see
    ``fragments.prefetch``) cost no further cache round trip.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("fragment needs a name")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    name = bits[1].strip("\"'")
    return FragmentNode(nodelist, name, [parser.compile_filter(b) for b in bits[2:]])
