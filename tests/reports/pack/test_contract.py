"""The pack's tables as they are shown: counts under 5 suppressed, and shares that would give them away."""

import pytest

from reports.pack import Table, shown


@pytest.mark.parametrize(
    ("value", "count", "expected"),
    [
        (0, True, "0"),
        (1, True, "<5"),
        (4, True, "<5"),
        (5, True, "5"),
        (1234, True, "1,234"),
        (3, False, "3"),
        (33.333, False, "33.3"),
        (None, True, "\u2013"),
        ("Fixed", True, "Fixed"),
    ],
)
def test_a_cell_is_shown_with_small_counts_suppressed(value, count, expected):
    assert shown(value, count=count) == expected


def test_a_share_of_a_suppressed_count_is_not_shown_either():
    table = Table(
        key="visits",
        title="Joint visits",
        columns=["Cohort", "Contacts", "Joint visits", "Joint visits (%)"],
        rows=[["Fixed", 10, 3, 30.0], ["Flex", 10, 5, 50.0], ["Free", 10, 0, 0.0]],
        count_columns=frozenset({1, 2}),
        total=["Total", 30, 8, 26.7],
        share_of=((3, 2),),
    )
    assert table.shown_rows() == [
        ["Fixed", "10", "<5", "\u2013"],
        ["Flex", "10", "5", "50.0"],
        ["Free", "10", "0", "0.0"],
    ]
    assert table.shown_total() == ["Total", "30", "8", "26.7"]
