"""Performance: the KPI layer (docs/kpis.md). It owns the definitions (each KPI one named function with its
formula), the interval rollups kept from the calls by the worker, and the figures' API. It reads every
domain's tables, read-only, and writes only its own."""
