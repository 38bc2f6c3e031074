"""Quality inspection (质检, issue 17): QA forms, sampling, the inspector's workbench, appeals, and the automatic
analysis of every call's recording and transcript. Above the domains whose contacts it samples (calls,
complaints, surveys), below ``performance``, whose scorecard reads the QA score from here."""
