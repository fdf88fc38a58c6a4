"""``{% fragment_for %}``: a for loop whose every turn is kept as a fragment
(see reader/fragments.py), for lists of cards."""

from django import template
from django.utils.safestring import mark_safe

from reader import fragments

register = template.Library()


class FragmentForNode(template.Node):
    child_nodelists = ("nodelist",)

    def __init__(self, name, loopvar, sequence, parts, nodelist):
        self.name, self.loopvar, self.sequence = name, loopvar, sequence
        self.parts, self.nodelist = parts, nodelist

    def turns(self, context):
        """Each item with its ``forloop``, as ``{% for %}`` gives them."""
        items = list(self.sequence.resolve(context, ignore_failures=True) or ())
        parent, count = context.get("forloop", {}), len(items)
        for index, item in enumerate(items):
            yield (
                item,
                {
                    "parentloop": parent,
                    "counter0": index,
                    "counter": index + 1,
                    "revcounter": count - index,
                    "revcounter0": count - index - 1,
                    "first": index == 0,
                    "last": index == count - 1,
                },
            )

    def per_turn(self, part) -> bool:
        """Does this part name the item or the ``forloop``? Others are the
        same for every turn, and resolved once."""
        lookups = getattr(part.var, "lookups", None) or ("",)
        return lookups[0] in (self.loopvar, "forloop")

    def render(self, context):
        version = context.get("fragment_version")
        with context.push():
            turns, keys = list(self.turns(context)), []
            fixed = [
                "" if self.per_turn(part) else str(part.resolve(context))
                for part in self.parts
            ]
            for item, loop in turns:
                context.update({self.loopvar: item, "forloop": loop})
                parts = (
                    str(part.resolve(context)) if self.per_turn(part) else value
                    for part, value in zip(self.parts, fixed, strict=True)
                )
                keys.append(fragments.key(version, self.name, str(item.pk), *parts))
                context.pop()
            found = fragments.stored(keys) if version else {}
            fresh, shown = {}, []
            for key, (item, loop) in zip(keys, turns, strict=True):
                if key not in found:
                    with context.push({self.loopvar: item, "forloop": loop}):
                        fresh[key] = self.nodelist.render(context)
                shown.append(found[key] if key in found else fresh[key])
            if version:
                fragments.store(fresh)
        return mark_safe("".join(shown))


@register.tag
def fragment_for(parser, token):
    """``{% fragment_for "name" item in items part... %}...{% endfragment_for %}``:
    ``{% for item in items %}``, each turn's output kept as the fragment
    ``name`` of ``item.pk`` and the parts (what the turn shows besides the
    item: options of the list, ``forloop.first``), all read in one cache round
    trip and those missing stored in one more.

    Stored only when the view put a ``fragment_version`` in the context, so,
    like ``{% fragment %}``, a turn is never shown after public content
    changed.
    """
    bits = token.split_contents()
    if len(bits) < 5 or bits[3] != "in":
        raise template.TemplateSyntaxError(
            "fragment_for needs a name, then 'item in items' and any parts"
        )
    nodelist = parser.parse(("endfragment_for",))
    parser.delete_first_token()
    return FragmentForNode(
        bits[1].strip("\"'"),
        bits[2],
        parser.compile_filter(bits[4]),
        [parser.compile_filter(bit) for bit in bits[5:]],
        nodelist,
    )
