"""Reports rendered from templates (installed as `stc.reports`)."""
