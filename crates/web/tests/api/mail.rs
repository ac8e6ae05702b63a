//! Delivery of the outbox over SMTP, to a small SMTP server on loopback that records what it
//! receives.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use banyan_domain::Email;
use banyan_store::NewMail;
use banyan_testkit::{TestDb, backend_tests};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::TestApp;

backend_tests!(the_outbox_is_delivered_by_smtp_and_failures_are_retried);

/// Accepts SMTP sessions and keeps each message's data.
async fn smtp_server() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 test ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = &mut data {
                        if line == "." {
                            store.lock().unwrap().push(std::mem::take(body));
                            data = None;
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let reply: &[u8] = match line.split_whitespace().next().unwrap_or("").to_ascii_uppercase().as_str()
                    {
                        "EHLO" => b"250-test\r\n250 8BITMIME\r\n",
                        "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 ok\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            return;
                        }
                        _ => b"502 not implemented\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, received)
}

async fn the_outbox_is_delivered_by_smtp_and_failures_are_retried(db: TestDb) {
    let app = TestApp::start(db).await;
    let mail = NewMail {
        to: Email::parse("amina@example.org").unwrap(),
        user_id: None,
        subject: "Your idea is published".into(),
        body: "Hello Amina,\n\nবাংলায়ও লেখা যায়.\n".into(),
    };
    app.db.store.enqueue_mail(mail).await.unwrap();

    // A server that does not answer: the mail waits, with the error, for a later attempt.
    let dead = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let settings = banyan_web::mail::SmtpSettings {
        url: format!("smtp://127.0.0.1:{dead}"),
        from: "Banyan <banyan@banyan.test>".into(),
    };
    let sender = tokio::spawn(banyan_web::mail::send_outbox(app.db.store.clone(), settings, stopped));
    let failed = wait_for(|| async { app.db.store.outbox(10).await.unwrap()[0].attempts > 0 }).await;
    stop.send(true).unwrap();
    sender.await.unwrap();
    assert!(failed, "the failure is recorded");
    let waiting = &app.db.store.outbox(10).await.unwrap()[0];
    assert!(waiting.sent_at.is_none() && waiting.last_error.is_some());

    // It is held back after a failure; let it be due again, then deliver to a working server.
    app.db.execute_raw("UPDATE outbox SET claimed_until = NULL").await;
    let (port, received) = smtp_server().await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let settings = banyan_web::mail::SmtpSettings {
        url: format!("smtp://127.0.0.1:{port}"),
        from: "Banyan <banyan@banyan.test>".into(),
    };
    let sender = tokio::spawn(banyan_web::mail::send_outbox(app.db.store.clone(), settings, stopped));
    let sent = wait_for(|| async { app.db.store.outbox(10).await.unwrap()[0].sent_at.is_some() }).await;
    stop.send(true).unwrap();
    sender.await.unwrap();
    assert!(sent, "the mail is marked sent");
    let messages = received.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].contains("Subject: Your idea is published"), "{}", messages[0]);
    assert!(messages[0].contains("To: amina@example.org"), "{}", messages[0]);
}

async fn wait_for<F, Fut>(check: F) -> bool
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}
