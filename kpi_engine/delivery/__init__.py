"""Delivery of alerts to their owners: a memory of alerts, channels, messages and scheduled jobs.

The stages, in the order a run goes through them:

- `reading`: what delivery reads of an evaluation (one place to adapt when `Alert` changes);
- `lifecycle`: pure rules turning this run's alerts and the remembered ones into changes
  (new, ongoing, resolved, restated), Alertmanager-style;
- `store`: the SQLite memory of alerts, events, deliveries and acknowledgements;
- `compose`: one message per owner, in their language (jinja2 templates in `templates/`);
- `channels`: the registry of ways to deliver (e-mail over SMTP, webhooks), one module each;
- `notifier`: a run, with the clock and the channels passed in;
- `job`: job files for `kpi run`, validated against `schemas/job.schema.json`.

Nothing here is called from evaluation: the CLI (or an embedding program) evaluates,
then hands the evaluation to `notifier.notify`.
"""
