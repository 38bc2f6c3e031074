"""Imports every domain's tables so the metadata is complete (Alembic, tests, create_all)."""

from __future__ import annotations


def load_all() -> None:
    from huiyin.auth import models as _auth  # noqa: F401
    from huiyin.bot import models as _bot  # noqa: F401
    from huiyin.calls import models as _calls  # noqa: F401
    from huiyin.channels import models as _channels  # noqa: F401
    from huiyin.complaints import models as _complaints  # noqa: F401
    from huiyin.core import refcache as _refcache  # noqa: F401
    from huiyin.customers import models as _customers  # noqa: F401
    from huiyin.knowledge import models as _knowledge  # noqa: F401
    from huiyin.notify import models as _notify  # noqa: F401
    from huiyin.org import models as _org  # noqa: F401
    from huiyin.outages import models as _outages  # noqa: F401
    from huiyin.performance import models as _performance  # noqa: F401
    from huiyin.quality import models as _quality  # noqa: F401
    from huiyin.sla import models as _sla  # noqa: F401
    from huiyin.surveys import models as _surveys  # noqa: F401
    from huiyin.workorders import models as _workorders  # noqa: F401
