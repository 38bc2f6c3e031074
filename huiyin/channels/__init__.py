"""Written channels: WeChat, web chat, e-mail and SMS conversations, and the agent inbox."""
