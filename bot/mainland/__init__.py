"""Careline in mainland China: Alibaba Cloud / Tencent Cloud SMS with a template registry,
and a WeCom self-built app for staff. Installed as a capability (bot/capabilities.py)."""
