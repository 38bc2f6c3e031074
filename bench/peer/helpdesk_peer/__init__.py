"""A minimal Django project around django-helpdesk, for bench/peer.sh (issue 13). Not part of Huiyin."""
