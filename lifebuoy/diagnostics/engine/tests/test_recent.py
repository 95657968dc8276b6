"""The bounded "most recent" lists: what they keep and their order, however items arrive."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lifebuoy.diagnostics.engine.snapshot import Recent

# (ts, name) pairs: few distinct times, so ties at the boundary are common; ``None`` asks
# for the items at that point (between additions, as a poll does between runs).
steps = st.lists(
    st.one_of(st.none(), st.tuples(st.integers(0, 12), st.sampled_from("abcdefgh"))),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(
    limit=st.integers(1, 6),
    script=steps,
    restore_at=st.integers(0, 60),
    saved_in_order=st.booleans(),
)
def test_it_keeps_the_newest_items_oldest_first(limit, script, restore_at, saved_in_order):
    recent: Recent[tuple[int, str]] = Recent(limit, lambda item: (item[1],))
    seen: dict[tuple[int, str], None] = {}
    for index, step in enumerate(script):
        if index == restore_at:  # as a worker that decoded a stored state
            restored: Recent[tuple[int, str]] = Recent(limit, recent.key)
            saved = recent.kept()  # oldest first; an older state may list them in any order
            restored.restore(
                recent.total,
                [(item[0], item) for item in (saved if saved_in_order else saved[::-1])],
            )
            recent = restored
        if step is None:
            expected = sorted(seen)[-limit:] if seen else []
            assert recent.items() == expected
            assert list(recent) == expected
            continue
        if step in seen:
            continue  # an item is added once (a commit and path are read once)
        seen[step] = None
        recent.add(step[0], step)
    assert recent.items() == sorted(seen)[-limit:]
    assert recent.total == len(seen)
    assert recent.truncated == (len(seen) > limit)
