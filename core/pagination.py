"""Pages of long lists whose cost does not grow with the table (issue 19)."""

from contextlib import suppress
from math import ceil

from django.core.paginator import Paginator
from django.utils.functional import cached_property

# 200 pages of 50: deeper than anyone reads a queue; past it, filters and search narrow it down.
MAX_RIGHE = 10_000


class CappedPaginator(Paginator):
    """Counts at most `MAX_RIGHE` rows (`SELECT COUNT(*) FROM (… LIMIT 10001)`) and serves pages up to
    there: an exact COUNT and a deep OFFSET both read every row before the page, a million of them on an
    unfiltered queue. A page number past the cap answers the last page; `limitato` tells the template
    that there are more rows than pages."""

    max_righe = MAX_RIGHE

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        # Without the ORDER BY: which rows are counted does not matter, and unordered the count can read
        # an index alone instead of sorting every matching row.
        return self.object_list.order_by()[: self.max_righe + 1].count()  # type: ignore[attr-defined]

    @property
    def limitato(self) -> bool:
        return self.count > self.max_righe

    @cached_property
    def num_pages(self) -> int:  # type: ignore[override]
        righe = min(self.count, self.max_righe)
        if righe == 0 and not self.allow_empty_first_page:
            return 0
        return ceil(max(1, righe - self.orphans) / self.per_page)

    def validate_number(self, number):
        with suppress(TypeError, ValueError):  # not a number: Paginator says PageNotAnInteger
            number = min(int(number), self.num_pages)
        return super().validate_number(number)
