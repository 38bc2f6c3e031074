"""The django-helpdesk peer benchmark (issue 13): see bench/README.md."""
