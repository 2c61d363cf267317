"""E-mail from the attendee side: sign-in links."""

import logging
import smtplib

from celery import shared_task

from attendees.services import login_link_send

logger = logging.getLogger(__name__)


@shared_task(
    name="attendees.send_login_link",
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=5,
    retry_backoff_max=60,
    max_retries=3,
    soft_time_limit=60,
    time_limit=90,
)
def send_login_link(*, link_id: int, base_url: str, language: str = "") -> None:
    """Send sign-in link ``link_id``; a link already sent, used or expired is left alone."""
    if not login_link_send(link_id=link_id, base_url=base_url, language=language):
        logger.info("sign-in link %s: nothing to send", link_id)
