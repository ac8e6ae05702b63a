//! Mail: what Banyan writes to people, and the sender that takes it from the outbox to SMTP.
//!
//! Every message goes to the outbox table first (see [`banyan_store::Store::enqueue_mail`]).
//! When SMTP is configured, [`send_outbox`] delivers it with retries; without SMTP the outbox is
//! what admins (and tests) read.

use std::sync::Arc;
use std::time::Duration;

use banyan_domain::{Email, Record, Status};
use banyan_store::{NewMail, Store, User};

/// Where links in mail point.
pub struct Letters<'a> {
    pub public_url: &'a str,
    pub site: &'a str,
}

impl Letters<'_> {
    fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }

    fn signed(&self, body: String) -> String {
        format!("{body}\n\n-- \n{} · {}\n", self.site, self.public_url)
    }

    pub fn verify(&self, user: &User, token: &str) -> NewMail {
        NewMail {
            to: user.email.clone(),
            user_id: Some(user.id),
            subject: format!("Confirm your e-mail address for {}", self.site),
            body: self.signed(format!(
                "Hello {},\n\nPlease confirm your e-mail address by opening this link within 48 hours:\n\n{}\n\n\
                 If you did not sign up, ignore this message: nothing happens without the link.",
                user.name,
                self.link(&format!("/verify?token={token}"))
            )),
        }
    }

    /// To the owner of an address someone tried to sign up with again.
    pub fn already_registered(&self, user: &User) -> NewMail {
        NewMail {
            to: user.email.clone(),
            user_id: Some(user.id),
            subject: format!("Someone tried to sign up to {} with your address", self.site),
            body: self.signed(format!(
                "Hello {},\n\nSomeone (perhaps you) tried to create an account with this address, which already has one.\n\n\
                 If you forgot your password, you can choose a new one here:\n\n{}\n\nOtherwise, ignore this message.",
                user.name,
                self.link("/reset")
            )),
        }
    }

    pub fn reset(&self, user: &User, token: &str) -> NewMail {
        NewMail {
            to: user.email.clone(),
            user_id: Some(user.id),
            subject: format!("Choose a new password for {}", self.site),
            body: self.signed(format!(
                "Hello {},\n\nTo choose a new password, open this link within one hour:\n\n{}\n\n\
                 If you did not ask for this, ignore this message: your password stays as it is.",
                user.name,
                self.link(&format!("/reset/{token}"))
            )),
        }
    }

    pub fn password_changed(&self, user: &User) -> NewMail {
        NewMail {
            to: user.email.clone(),
            user_id: Some(user.id),
            subject: format!("Your {} password was changed", self.site),
            body: self.signed(format!(
                "Hello {},\n\nYour password was just changed and every session was signed out.\n\n\
                 If this was not you, choose a new password at once: {}",
                user.name,
                self.link("/reset")
            )),
        }
    }

    pub fn confirm_new_email(&self, user: &User, new_email: &Email, token: &str) -> NewMail {
        NewMail {
            to: new_email.clone(),
            user_id: Some(user.id),
            subject: format!("Confirm your new e-mail address for {}", self.site),
            body: self.signed(format!(
                "Hello {},\n\nTo use this address for your account, open this link within 48 hours:\n\n{}",
                user.name,
                self.link(&format!("/email/confirm?token={token}"))
            )),
        }
    }

    pub fn email_changed(&self, user: &User, old: &Email) -> NewMail {
        NewMail {
            to: old.clone(),
            user_id: Some(user.id),
            subject: format!("Your {} e-mail address was changed", self.site),
            body: self.signed(format!(
                "Hello {},\n\nYour account now uses the address {}. If this was not you, reply to this message.",
                user.name, user.email
            )),
        }
    }

    pub fn invitation(&self, to: &Email, organisation: &str, role: &str, token: &str) -> NewMail {
        NewMail {
            to: to.clone(),
            user_id: None,
            subject: format!("You are invited to {organisation} on {}", self.site),
            body: self.signed(format!(
                "Hello,\n\nYou are invited to join {organisation} as {role}. To accept, sign in (or sign up) with this \
                 address and open this link within seven days:\n\n{}",
                self.link(&format!("/invitations/{token}"))
            )),
        }
    }

    /// A notice about a conversation between a challenge's owners and a provider.
    pub fn conversation(&self, to: &User, subject: &str, text: &str, conversation: &str) -> NewMail {
        NewMail {
            to: to.email.clone(),
            user_id: Some(to.id),
            subject: format!("{subject} — {}", self.site),
            body: self.signed(format!(
                "Hello {},\n\n{text}\n\nOpen the conversation:\n\n{}",
                to.name,
                self.link(&format!("/conversations/{conversation}"))
            )),
        }
    }

    pub fn status_changed(&self, owner: &User, record: &Record, from: Status, comment: Option<&str>) -> NewMail {
        let to = record.content.status;
        let what = match to {
            Status::InReview => "is being reviewed".to_string(),
            Status::ChangesRequested => "needs changes before it can be published".to_string(),
            Status::Published => "is published".to_string(),
            Status::Archived => "was archived".to_string(),
            other => format!("moved from {} to {}", from.label().to_lowercase(), other.label().to_lowercase()),
        };
        let comment = comment.map(|c| format!("\n\nThe curator wrote:\n\n{c}")).unwrap_or_default();
        NewMail {
            to: owner.email.clone(),
            user_id: Some(owner.id),
            subject: format!("\"{}\" {what}", record.content.title),
            body: self.signed(format!(
                "Hello {},\n\nYour {} \"{}\" {what}.{comment}\n\nSee it on your dashboard: {}",
                owner.name,
                record.kind().label().to_lowercase(),
                record.content.title,
                self.link("/my")
            )),
        }
    }

    pub fn commented(&self, owner: &User, record: &Record, body: &str) -> NewMail {
        NewMail {
            to: owner.email.clone(),
            user_id: Some(owner.id),
            subject: format!("A curator commented on \"{}\"", record.content.title),
            body: self.signed(format!(
                "Hello {},\n\nA curator wrote about your {} \"{}\":\n\n{body}\n\nReply from your dashboard: {}",
                owner.name,
                record.kind().label().to_lowercase(),
                record.content.title,
                self.link("/my")
            )),
        }
    }
}

/// Where and how to send mail.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// `smtp://user:password@host:587?tls=required`, `smtps://…:465`, as lettre reads it.
    pub url: String,
    /// The sender address: `Banyan <banyan@example.gov>`.
    pub from: String,
}

/// Sends what is in the outbox until `shutdown`, a few messages at a time. Failed messages are
/// retried with growing pauses; each is held by one sender at a time, so several instances
/// may run this together.
pub async fn send_outbox(store: Arc<dyn Store>, smtp: SmtpSettings, shutdown: tokio::sync::watch::Receiver<bool>) {
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let transport = match AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url) {
        Ok(t) => t.timeout(Some(Duration::from_secs(30))).build(),
        Err(e) => {
            tracing::error!(error = %e, "the SMTP URL is not valid; mail stays in the outbox");
            return;
        }
    };
    let from = match smtp.from.parse::<lettre::message::Mailbox>() {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %e, "the sender address is not valid; mail stays in the outbox");
            return;
        }
    };
    let mut shutdown = shutdown;
    loop {
        let batch = match store.claim_mail(10, 120).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the outbox");
                Vec::new()
            }
        };
        for mail in &batch {
            let message =
                mail.to.as_str().parse::<lettre::message::Mailbox>().map_err(|e| e.to_string()).and_then(|to| {
                    Message::builder()
                        .from(from.clone())
                        .to(to)
                        .subject(mail.subject.clone())
                        .header(lettre::message::header::ContentType::TEXT_PLAIN)
                        .body(mail.body.clone())
                        .map_err(|e| e.to_string())
                });
            let result = match message {
                Ok(m) => transport.send(m).await.map(|_| ()).map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            let recorded = match result {
                Ok(()) => store.mail_sent(mail.id).await,
                Err(e) => {
                    tracing::warn!(mail = %mail.id, error = %e, "sending failed; will retry");
                    store.mail_failed(mail.id, &e).await
                }
            };
            if let Err(e) = recorded {
                tracing::warn!(error = %e, "cannot record a mail's delivery");
            }
        }
        if batch.is_empty() {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                _ = shutdown.changed() => {}
            }
        }
        if *shutdown.borrow() {
            return;
        }
    }
}
