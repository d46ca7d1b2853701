"""Known rule violations for synthetic returns: one function per rule code, breaking one child.

Used by tests ("every injected violation is reported with the right code on the right cell"), the
demo and the benchmarks. Each injector makes one realistic mistake, the kind a caseworker or a
case-management extract makes, on one child chosen by the :class:`Picker` among those whose data make
the mistake meaningful (an assessment to date wrongly, a conference to move, ...), and returns an
:class:`Injected` naming the child, the record and the fields the finding lands on (the same record
and fields as the rule's ``Hit``).

An injector breaks its own rule only: where a change would drag other dates out of line it moves
them too, and it picks a child on which the change trips nothing else. The few codes that cannot be
broken alone list the codes that necessarily come with them in :data:`COMPANIONS`.

Return-level rules (2883, 2886Q, 2887Q, 2888Q, 8995Q, 9000Q) return ``Injected(code, "", None, ())``
and may change many children; those children are claimed from the picker so that no other
violation is put on them.

One module per census module, named as in :mod:`cin_xl.validation.rules` and ``tests/rules``; an
injector lives beside the rule it breaks. :mod:`~cin_xl.synthetic.inject.shared` holds the picker, the
registry and the finders the modules share. Importing this package registers every injector.
"""

from cin_xl.synthetic.inject import (
    assessments,
    child_characteristics,
    child_identifiers,
    child_protection_plans,
    cin_details,
    cin_plans,
    header,
    pre_proceedings,
    section47,
)
from cin_xl.synthetic.inject.shared import (
    COMPANIONS,
    INJECTORS,
    Injected,
    Injector,
    NoCandidate,
    Picker,
    inject,
    injector,
)

# importing a module registers its injectors
__all__ = ["COMPANIONS", "INJECTORS", "Injected", "Injector", "NoCandidate", "Picker", "inject", "injector",
           "assessments", "child_characteristics", "child_identifiers", "child_protection_plans", "cin_details",
           "cin_plans", "header", "pre_proceedings", "section47"]
