"""The FAQ bot (智能客服): answers written questions from the published FAQs and live outages, or hands off."""
