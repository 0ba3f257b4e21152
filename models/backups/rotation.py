"""Which backups to keep: the newest of each of the last `daily` days that have one,
and the newest of each of the last `monthly` months (days and months in Helsinki time).
A pure function of the files' times, so it is tested on its own."""

from engines.clock import local


def kept(made_at, daily, monthly):
    """The names to keep of `made_at`, a dict of backup name → when it was made (aware)."""
    newest_first = sorted(made_at, key=lambda name: made_at[name], reverse=True)
    keep = set()
    for period, count in ((lambda moment: moment.date(), daily),
                          (lambda moment: (moment.year, moment.month), monthly)):
        seen = []
        for name in newest_first:
            key = period(local(made_at[name]))
            if key not in seen:
                seen.append(key)
                if len(seen) > count:
                    break
                keep.add(name)
    return keep
