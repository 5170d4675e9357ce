"""`mlpath optimize`: your own memory model."""


from typing import Annotated

import typer

from mlpath.cli import render as r
from mlpath.cli.common import JsonOpt, session


def _fmt_time(dt) -> str:
    return dt.strftime("%Y-%m-%d")


def optimize(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the comparison without adopting anything.")] = False,
    reset: Annotated[bool, typer.Option("--reset", help="Go back to FSRS's default parameters.")] = False,
    retention: Annotated[bool, typer.Option("--retention", help="Advise a desired retention from your memory "
                                                                  "model (simulated daily work at 70-97%).")] = False,
    apply: Annotated[bool, typer.Option("--apply", help="With --retention: write the advised retention to "
                                                        "config.toml.")] = False,
    json: JsonOpt = False,
) -> None:
    """Fit the memory model to your own reviews.

    FSRS's 21 parameters are fitted to your reviews and adopted if they predict you better.

    The fit is checked before it is adopted: it is trained on your earlier reviews and scored on the latest 20% of
    your history (log loss and RMSE over 20 bins of predicted recall), against the parameters in use. Adopting
    reschedules every card from its review history; nothing is lost, due dates move. --reset goes back to the
    defaults. --retention simulates a year of study at desired retentions from 70% to 97% with your parameters and
    recommends the one with the least work per remembered card.
    """
    from mlpath.app import optimize as use_case
    from mlpath.errors import InvalidValue

    if apply and not retention:
        raise InvalidValue("apply", "goes with --retention")
    if reset and (dry_run or retention):
        raise InvalidValue("reset", "cannot be combined with --dry-run or --retention")
    with session() as s:
        if reset:
            done = use_case.reset(s)
            if json:
                return r.emit_json(done)
            if done.was_fitted:
                r.line(f"Back to FSRS's default parameters; {done.rescheduled} cards rescheduled from their history.")
            else:
                r.line("Already on FSRS's default parameters; nothing changed.")
            return
        if retention:
            advice = use_case.retention_advice(s, apply=apply)
            if json:
                return r.emit_json(advice)
            _retention(advice)
            return
        result = use_case.optimize(s, dry_run=dry_run)
    if json:
        return r.emit_json(result)
    _report(result)


def _report(res) -> None:
    cur = "FSRS's defaults" if res.current.source == "defaults" else f"your fit of {_fmt_time(res.current.fitted_at)}"
    r.line(f"Fitted FSRS to {res.reviews:,} reviews ({res.long_term:,} of them a day or more after the card's "
           f"previous review).")
    r.line(f"Checked on your reviews from {_fmt_time(res.held_out_from)} on ({res.new_check.reviews:,} of them), "
           "lower is better:")
    r.line(f"  {'':<12} {'in use':>10} {'new':>10}")
    r.line(f"  {'log loss':<12} {res.current_check.log_loss:>10.4f} {res.new_check.log_loss:>10.4f}")
    r.line(f"  {'RMSE (bins)':<12} {res.current_check.rmse_bins:>10.4f} {res.new_check.rmse_bins:>10.4f}")
    if res.adopted:
        r.line(f"Adopted: the new parameters predict your recall better than {cur}. "
               f"{res.rescheduled} card{'s' if res.rescheduled != 1 else ''} rescheduled from their history.")
    elif res.better:
        r.line(f"The new parameters predict your recall better than {cur}; --dry-run: nothing was changed.")
    else:
        r.line(f"Kept {cur}: the new parameters do not predict your recall better.")


def _retention(advice) -> None:
    source = "your fitted parameters" if advice.parameters_source == "fitted" else "FSRS's default parameters"
    r.line(f"Daily work over a simulated year at each desired retention, with {source}:")
    top = max(row.minutes_per_card for row in advice.rows if row.minutes_per_card != float("inf"))
    shown = [row for i, row in enumerate(advice.rows) if i % 3 == 0 or row.retention == advice.recommended]
    for row in shown:
        mark = "  <- least work per remembered card" if row.retention == advice.recommended else ""
        bar = "#" * max(1, round(30 * row.minutes_per_card / top)) if top else ""
        r.line(f"  {row.retention:.0%}  {row.reviews_per_day:6.1f} reviews/day  {row.minutes_per_day:5.1f} min/day  "
               f"{bar}{mark}")
    r.line(f"Recommended desired retention: {advice.recommended:.0%} (now {advice.current:.0%}).")
    if advice.applied:
        r.line(f"Written to config.toml: desired_retention = {advice.recommended:g}.")
    else:
        r.line("Set it with `mlpath optimize --retention --apply`, or desired_retention in config.toml.")


def register(app: typer.Typer) -> None:
    app.command()(optimize)
