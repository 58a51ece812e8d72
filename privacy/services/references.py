from ..models import ReferenceCounter


def next_reference(series: str, year: int) -> str:
    """The next consecutive reference of a series and year: AVG-2026-00007, DL-2026-00001.

    The counter row stays locked until the caller's transaction ends, so references never repeat or skip.
    """
    ReferenceCounter.objects.bulk_create([ReferenceCounter(series=series, year=year)], ignore_conflicts=True)
    counter = ReferenceCounter.objects.select_for_update().get(series=series, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{series}-{year}-{counter.last:05d}"
