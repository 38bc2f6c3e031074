"""One typed settings object, read from ``HUIYIN_*`` environment variables.

Nothing else in the package reads the environment. ``get_settings()`` is cached; tests build their own
``Settings`` and hand it to ``create_app``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-secret-change-me"


class AuthSettings(BaseModel):
    session_hours: int = 12
    access_token_hours: int = 12
    cookie_name: str = "huiyin_session"
    csrf_cookie_name: str = "huiyin_csrf"
    cookie_secure: bool = False  # true behind HTTPS (a request that arrived over HTTPS gets Secure anyway)
    password_min_length: int = Field(default=12, ge=8, le=128)  # auth.passwords: ASVS level 2 asks for 12
    allowed_origins: list[str] = []  # origins besides the app's own whose pages may open /ws
    # sign-in throttling (auth.signin): from the max_failures-th failure in a streak (which ends after
    # window_minutes without one) an account or a client address is locked out for lock_seconds, doubled at
    # each further failure up to lock_max_seconds
    max_failures: int = 5
    address_max_failures: int = 50  # a centre's agents often share one address (NAT): a higher bar for it
    window_minutes: int = 15
    lock_seconds: int = 60
    lock_max_seconds: int = 3600


AttachmentType = Literal["image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf"]
"""The content types an attachment may have; each has a known signature (magic bytes) that is checked."""
ATTACHMENT_TYPES: tuple[AttachmentType, ...] = ("image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf")


class StorageSettings(BaseModel):
    """Where attachments' bytes live: a local folder (default) or an S3-compatible bucket.

    ``HUIYIN_STORAGE__BACKEND=s3 HUIYIN_STORAGE__S3_BUCKET=huiyin HUIYIN_STORAGE__S3_ENDPOINT_URL=http://minio:9000``.
    Without an access key, boto3's own credential chain applies (environment, instance role).
    """

    backend: Literal["local", "s3"] = "local"
    local_root: Path = Field(default_factory=lambda: Path.cwd() / "data" / "uploads")
    s3_bucket: str = ""
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: SecretStr | None = None
    max_upload_mb: int = Field(default=10, ge=1, le=1024)
    allowed_content_types: list[AttachmentType] = Field(default_factory=lambda: list(ATTACHMENT_TYPES))

    @model_validator(mode="after")
    def _s3_needs_a_bucket(self) -> StorageSettings:
        if self.backend == "s3" and not self.s3_bucket:
            raise ValueError("HUIYIN_STORAGE__S3_BUCKET must be set when HUIYIN_STORAGE__BACKEND=s3")
        return self

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024


class NotifySettings(BaseModel):
    """How notifications leave Huiyin (huiyin/notify). ``HUIYIN_NOTIFY__SMS_URL=https://sms.example/send``.

    SMS and voice calls go to an HTTP gateway (the contract is in docs/notifications.md); email over SMTP.
    An empty URL or host turns that channel off: its messages are marked ``skipped`` with the reason.
    """

    sms_url: str = ""
    voice_url: str = ""
    gateway_token: SecretStr | None = None
    sms_template: str = "【回音】{title}：{body}"
    voice_template: str = "您好，这里是客户服务中心。{title}。{body}。请尽快登录系统处理。"
    gateway_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_from: str = "huiyin@localhost"
    dispatch_sms_after_minutes: int = Field(default=5, ge=0, description="unacknowledged dispatch → SMS")
    dispatch_voice_after_minutes: int = Field(default=10, ge=0, description="still unacknowledged → voice call")
    send_concurrency: int = Field(default=8, ge=1, le=64, description="SMS / voice / email sends at once per worker")
    max_attempts: int = Field(default=8, ge=1, le=100)
    backoff_seconds: float = Field(default=10.0, gt=0, description="first retry delay; doubles each attempt")
    backoff_max_seconds: float = Field(default=1800.0, gt=0)
    lease_seconds: float = Field(default=60.0, gt=0, description="a claimed message is retried after this")


class SurveySettings(BaseModel):
    """Ratings (huiyin/surveys): the SMS that asks for one after an order is closed, and the replies."""

    invite_sms: bool = Field(default=True, description="after an order is closed, ask its contact (a mobile) by SMS")
    invite_text: str = Field(
        default="【回音】请对本次服务评价：回复1满意 2基本满意 3不满意。感谢您的支持！", min_length=1, max_length=300
    )
    invite_after_call: bool = Field(default=True, description="also ask after an answered call without an order")
    invite_call_delay_minutes: int = Field(
        default=10, ge=1, le=240, description="how long after such a call (an order or an IVR rating may come first)"
    )
    invite_once_per_hours: int = Field(default=24, ge=0, le=720, description="no second invitation to a number sooner")
    reply_window_hours: int = Field(default=48, ge=1, le=720, description="a reply rates the invitation this recent")
    inbound_token: SecretStr | None = Field(
        default=None, description="the SMS gateway's token for POST /sms/inbound (unset: replies are refused)"
    )
    care_hours: int = Field(default=24, ge=1, le=720, description="an unsatisfied rating's care task is due in")
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="where customers reach Huiyin: the rating link in the SMS is <public_url>/r/<token> ('' : no link)",
    )
    link_days: int = Field(default=7, ge=1, le=90, description="a rating link expires after this many days")
    surveys: bool = Field(default=True, description="delayed surveys (延时调查) of closed orders, by sampling rules")
    survey_text: str = Field(
        default="【回音】您好，为提升服务质量，诚邀您花1分钟评价近日为您办理的服务：", min_length=1, max_length=300
    )
    survey_reminder_text: str = Field(
        default="【回音】温馨提醒：您的服务评价尚未完成，期待您的宝贵意见：", min_length=1, max_length=300
    )
    survey_reminder_days: int = Field(default=2, ge=1, le=30, description="one reminder when unanswered this long")
    survey_expire_days: int = Field(default=7, ge=1, le=90, description="a survey closes this long after it is sent")


class ComplaintSettings(BaseModel):
    """Complaints (huiyin/complaints): the accountability ledger's points and the corrective actions."""

    penalty_points: dict[str, int] = Field(
        default={"general": 2, "major": 5, "serious": 10},
        description="points taken from each responsible staff member for a valid complaint, by grade",
    )
    joint_points: dict[str, int] = Field(
        default={"general": 1, "major": 2, "serious": 5},
        description="points taken from the responsible unit's head (连带责任), by grade",
    )
    praise_points: int = Field(default=2, ge=0, le=100, description="points given to each staff member a praise names")
    survey_points: int = Field(
        default=1, ge=0, le=100, description="points to the handler of a delayed survey answered satisfied, attitude 5"
    )
    action_warn_hours: float = Field(default=24, gt=0, le=720, description="a corrective action is warned this early")


class WorkerSettings(BaseModel):
    """The worker that fires due deadlines and delivers the outbox (``huiyin worker``, or inside serve)."""

    embedded: bool = Field(default=True, description="huiyin serve runs a worker in its own process")
    poll_seconds: float = Field(default=0.5, gt=0, le=60)
    batch_size: int = Field(default=500, ge=1, le=100_000)
    nice: int = Field(
        default=5,
        ge=0,
        le=19,
        description="how much the standalone worker lowers its CPU priority (Unix nice): background rounds yield"
        " the cores to requests (a WeChat burst is acknowledged first, the bot's answers follow)",
    )


class CtiSettings(BaseModel):
    """The phone channel: call records, screen pop, click-to-call, recordings."""

    short_abandon_seconds: int = Field(
        default=5, ge=0, le=60, description="an abandoned call that waited less than this is a short abandon"
    )
    recent_contacts: int = Field(default=5, ge=1, le=50, description="contacts shown in the screen pop")
    dial_timeout_seconds: float = Field(default=5.0, gt=0, le=60, description="click-to-call request to the PBX")
    max_recording_mb: int = Field(default=50, ge=1, le=2048)


class KpiSettings(BaseModel):
    """The KPI layer (docs/kpis.md): the centre's chosen service-level variant and threshold, the rollups."""

    sl_variant: Literal["F1", "F2", "F3", "F4", "F5"] = Field(
        default="F3", description="the service-level formula shown wherever a single figure is shown"
    )
    sl_threshold_seconds: int = Field(default=20, ge=1, le=600, description="T of SL(T): 20 s, the 80/20 rule")
    refresh_seconds: float = Field(
        default=10.0, gt=0, le=3600, description="how often the worker brings the interval rollups up to date"
    )
    orders_refresh_seconds: float = Field(
        default=60.0, gt=0, le=3600, description="how often the worker brings the orders' daily rollup up to date"
    )
    wallboard_seconds: float = Field(
        default=5.0, gt=0, le=300, description="how often the wallboard is pushed to the sockets watching it"
    )
    sl_target: float = Field(
        default=0.8, gt=0, le=1, description="a service level under this warns (two slots running)"
    )
    abandon_limit: float = Field(default=0.05, gt=0, le=1, description="an abandonment rate over this warns")
    longest_wait_limit_seconds: int = Field(default=120, ge=10, le=3600, description="a caller waiting longer warns")
    warn_min_offered: int = Field(default=10, ge=1, description="a slot with fewer calls offered is not judged by rate")
    warn_weeks: int = Field(default=8, ge=3, le=26, description="weeks of the same weekday and slot in a baseline")
    warn_z: float = Field(default=3.5, gt=0, description="the modified z-score over which a volume is a spike")
    warn_min_ratio: float = Field(
        default=1.5, ge=1, le=10, description="a spike is also at least this many times its median (1.5: half again)"
    )
    warn_floor_orders: int = Field(
        default=6, ge=1, description="orders of one category and area in 15 minutes, at least"
    )
    warn_floor_calls: int = Field(default=20, ge=1, description="calls to one queue in 15 minutes, at least")
    league_bottom: int = Field(default=2, ge=0, le=20, description="the lowest N stations of the league are 末位")
    refresh_margin_seconds: int = Field(
        default=120, ge=0, le=3600, description="how far back each refresh looks again for calls changed late"
    )


class QualitySettings(BaseModel):
    analyse_recordings: bool = Field(
        default=True, description="the worker measures every stored recording (speech rate, loudness, dead air…)"
    )
    batch_size: int = Field(default=2, ge=1, le=100, description="recordings a worker claims at once")
    appeal_days: int = Field(default=5, ge=1, le=60, description="days an agent has to appeal an evaluation (申诉期)")
    transcriber: Literal["none", "sherpa-onnx", "vosk"] = Field(
        default="none", description="a local speech recogniser that transcribes each recording after its analysis"
    )
    model_dir: str | None = Field(default=None, description="the recogniser's model directory (the admin supplies it)")


class OutageSettings(BaseModel):
    """Outages (huiyin/outages): merging the flood of reports, fault detection, proactive notice."""

    notice_lead_hours: dict[str, float] = Field(
        default_factory=lambda: {"gas": 24.0, "electricity": 24.0, "water": 24.0},
        description="a planned outage is announced at least this long before it starts (warned when not)",
    )
    merge_categories: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "gas": ["RP-GAS-NOGAS"],
            "electricity": ["RP-ELEC-OUTAGE"],
            "water": ["RP-WATER-NOWATER"],
        },
        description="the repair categories an outage of the utility takes into its master order",
    )
    near_prefixes: dict[str, str] = Field(
        default_factory=lambda: {"gas": "RP-GAS", "electricity": "RP-ELEC", "water": "RP-WATER"},
        description="other repairs of the utility in an outage's area: suggested to the dispatcher to merge",
    )
    near_hours: float = Field(default=2.0, ge=0, le=48, description="before its start or after its end: near")
    fault_reports: int = Field(default=10, ge=2, le=1000, description="疑似停气: this many reports from one area …")
    fault_minutes: int = Field(default=15, ge=1, le=240, description="… within this many minutes, no known outage")
    callback_share: float = Field(default=0.1, ge=0, le=1, description="merged reports that keep their callback")
    sms_per_second: float = Field(default=50.0, gt=0, le=10_000, description="the SMS gateway's rate for bulk notices")
    batch_size: int = Field(default=5_000, ge=10, le=50_000, description="customers or reports per worker step")
    hotline: str = Field(default="95158", min_length=3, max_length=20, description="an outage's master order's contact")
    call_tags: list[str] = Field(
        default_factory=lambda: ["key_customer", "sensitive", "repeat_complainant", "elderly", "vip"],
        description="the customers called before they call us (主动服务)",
    )


class ChannelSettings(BaseModel):
    """Written channels (huiyin/channels): the agent inbox's routing, escalation and limits, the self-service
    site's sign-in by SMS code."""

    chat_limit: int = Field(default=3, ge=1, le=20, description="conversations one agent holds at once")
    first_response_seconds: int = Field(default=60, ge=5, le=3600, description="the first-response target (KPI)")
    escalate_minutes: list[int] = Field(
        default_factory=lambda: [5, 15, 30],
        description="a customer's message unanswered this long escalates: the floor, the duty manager, the director",
    )
    idle_close_minutes: int = Field(default=30, ge=1, le=1440, description="a bot conversation quiet this long closes")
    max_text: int = Field(default=2000, ge=100, le=20_000, description="characters in one written message")
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024)
    wechat_reply_seconds: float = Field(
        default=4.0, gt=0, le=4.9, description="answer WeChat's callback in time, else 'success' and send later"
    )
    wechat_sync_per_second: float = Field(
        default=20.0,
        ge=0,
        le=1000,
        description="messages a server process takes in within WeChat's callback a second (the bot's answer in the"
        " reply); beyond that the callback only stores them and the worker takes them in (0: always the worker)",
    )
    code_minutes: int = Field(default=5, ge=1, le=30, description="an SMS sign-in code is valid this long")
    code_tries: int = Field(default=5, ge=1, le=10, description="wrong codes before the code is void")
    codes_per_hour: int = Field(default=5, ge=1, le=50, description="codes sent to one number in an hour")
    code_gap_seconds: int = Field(default=60, ge=0, le=600, description="between two codes to one number")
    session_days: int = Field(default=30, ge=1, le=365, description="a self-service sign-in lasts this long")
    mail_poll_seconds: int = Field(default=60, ge=5, le=3600, description="how often the mailboxes are read")
    fax_senders: list[str] = Field(default_factory=list, description="the fax-to-mail gateway's sender addresses")


class Settings(BaseSettings):
    """Huiyin's settings; ``HUIYIN_AUTH__SESSION_HOURS=8`` sets a nested value."""

    model_config = SettingsConfigDict(env_prefix="HUIYIN_", env_nested_delimiter="__", secrets_dir=None, extra="ignore")

    env: Literal["dev", "test", "prod"] = "dev"
    database_url: str = Field(default_factory=lambda: f"sqlite:///{Path.cwd() / 'huiyin.db'}")
    secret_key: str = DEV_SECRET
    timezone: str = "Asia/Shanghai"
    order_number_prefix: str = "GD"
    callback_max_unreachable: int = 3
    callback_to_team: bool = False  # True: callbacks go to a shared team queue, not the owner agent
    text_max_length: int = 4000
    sql_echo: bool = False
    web_dist: Path = Field(
        default=Path(__file__).resolve().parent.parent / "web" / "dist",
        description="the built web app (npm run build in web/); served at / when present",
    )
    auth: AuthSettings = AuthSettings()
    storage: StorageSettings = Field(default_factory=StorageSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    cti: CtiSettings = Field(default_factory=CtiSettings)
    surveys: SurveySettings = Field(default_factory=SurveySettings)
    complaints: ComplaintSettings = Field(default_factory=ComplaintSettings)
    kpis: KpiSettings = Field(default_factory=KpiSettings)
    quality: QualitySettings = Field(default_factory=QualitySettings)
    outages: OutageSettings = Field(default_factory=OutageSettings)
    channels: ChannelSettings = Field(default_factory=ChannelSettings)

    @model_validator(mode="after")
    def _reject_default_secret_outside_dev(self) -> Settings:
        if self.env == "prod" and self.secret_key == DEV_SECRET:
            raise ValueError("HUIYIN_SECRET_KEY must be set when HUIYIN_ENV=prod")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
