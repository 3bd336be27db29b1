"""accelbook.tables: computed rows become real tables (HTML for the book, text elsewhere)."""

import math

import pytest
from bs4 import BeautifulSoup

from accelbook import tables

ROWS = [{"sigma": 0.01, "method": "gd", "c": 1.0, "median": 0.99012345, "q10": 0.98, "q90": 0.995, "spread": 1.5,
         "proven": 0.9951},
        {"sigma": 0.3, "method": "nesterov", "c": 0.5, "median": 0.9, "q10": 0.89, "q90": 0.91, "spread": 1.02,
         "proven": math.nan}]


def test_rate_table_is_an_html_table_with_every_row_and_column():
    t = tables.partition_rate_table(ROWS)
    soup = BeautifulSoup(t._repr_html_(), "html.parser")
    assert [th.get_text() for th in soup.select("thead th")] == ["σmax(A₂)", "method", "c", "median rate", "10% rate",
                                                                  "90% rate", "spread", "proven"]
    cells = [[td.get_text() for td in tr.select("td")] for tr in soup.select("tbody tr")]
    assert cells[0] == ["0.01", "gd", "1.0000", "0.99012", "0.98000", "0.99500", "1.50", "0.99510"]
    assert cells[1][-1] == "–"                                    # no proven rate for this method
    right = [td.get("style") == "text-align: right" for td in soup.select("tbody tr")[0].select("td")]
    assert right == [True, False, True, True, True, True, True, True]
    assert "gd" in str(t) and len(str(t).splitlines()) == 3


def test_cells_are_escaped_and_captions_shown():
    t = tables.table([{"a": "<b>"}], [("a", "x<y", "s")], caption="a & b")
    html = t._repr_html_()
    assert "&lt;b&gt;" in html and "x&lt;y" in html and "<caption>a &amp; b</caption>" in html


@pytest.mark.parametrize("rows, columns, match", [
    ([{"a": 1}], [("b", "B", "d")], "lacks the columns"),
    ([3], [("a", "A", "d")], "rows\\[0\\] must be a Mapping"),
    ([{"a": 1}], [("a", "A")], "columns must hold"),
])
def test_bad_tables_are_refused(rows, columns, match):
    with pytest.raises((TypeError, ValueError), match=match):
        tables.table(rows, columns)
