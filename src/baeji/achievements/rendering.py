"""Safe rendering of the Markdown criteria."""

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "code", "pre", "blockquote", "h3", "h4", "br"}


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML, then cleaned by nh3 so only harmless tags and http(s) links remain."""
    html = markdown.markdown(text or "", extensions=["sane_lists"])
    cleaned = nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3 has just sanitised it
