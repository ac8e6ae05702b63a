//! Interest in a match, and the private conversations between a challenge's owners and a
//! provider that open when both sides have expressed it. Parties are the owners and editors of
//! each record (its owner, and the owners and editors of its organisation); curators take part
//! when a party invites them. Nobody else learns that a conversation exists.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};
use utoipa_axum::{router::OpenApiRouter, routes};

use banyan_domain::access::Relation;
use banyan_domain::{ConversationId, Kind, OrgRole, Record, RecordId, UserId, limits};
use banyan_store::{Conversation, RecordQuery, RecordState, Side, User, Visibility};

use super::JsonResponse;
use crate::AppState;
use crate::auth::Caller;
use crate::extract::{JsonBody, read_body};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::schema::*;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(express_interest))
        .routes(routes!(list_conversations))
        .routes(routes!(get_conversation))
        .routes(routes!(post_message))
        .routes(routes!(decline))
        .routes(routes!(invite_curator))
}

/// A live record, whatever its visibility (callers check what they may see).
pub(crate) async fn live(state: &AppState, id: RecordId) -> ApiResult<Option<Record>> {
    Ok(match state.store.record(id).await? {
        Some(RecordState::Live(r)) => Some(r),
        _ => None,
    })
}

/// The side the caller takes part for: the owner or an editor of the challenge or of the offer.
pub(crate) fn side_of(caller: &Caller, challenge: &Record, offer: &Record) -> Option<Side> {
    let party = |r: &Record| caller.viewer.relation(r.owner, r.content.organisation) >= Relation::OrgEditor;
    if party(challenge) {
        Some(Side::Challenge)
    } else if party(offer) {
        Some(Side::Offer)
    } else {
        None
    }
}

/// The conversation and its two records, if the caller is a party or an invited curator;
/// otherwise "not found", so that strangers cannot tell it exists.
pub(crate) async fn reachable(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<(Conversation, Record, Record, Option<Side>)> {
    let user = caller.user.as_ref().ok_or_else(Caller::unauthenticated)?;
    let not_found = || ApiError::NotFound(format!("there is no conversation {id} of yours"));
    let cid = ConversationId::parse(id).map_err(|_| not_found())?;
    let c = state.store.conversation(cid).await?.ok_or_else(not_found)?;
    let (Some(challenge), Some(offer)) = (live(state, c.challenge_id).await?, live(state, c.offer_id).await?) else {
        return Err(not_found());
    };
    let side = side_of(caller, &challenge, &offer);
    if side.is_none() && !c.curators.contains(&user.id) {
        return Err(not_found());
    }
    Ok((c, challenge, offer, side))
}

/// The people of one side: the record's owner, and its organisation's owners and editors.
async fn people_of(state: &AppState, record: &Record) -> ApiResult<Vec<User>> {
    let mut out: Vec<User> = Vec::new();
    if let Some(owner) = record.owner
        && let Some(u) = state.store.user(owner).await?
    {
        out.push(u);
    }
    if let Some(org) = record.content.organisation {
        for m in state.store.members(org).await? {
            if matches!(m.role, OrgRole::Owner | OrgRole::Editor)
                && !out.iter().any(|u| u.id == m.user_id)
                && let Some(u) = state.store.user(m.user_id).await?
            {
                out.push(u);
            }
        }
    }
    Ok(out.into_iter().filter(|u| u.is_verified() && u.blocked_at.is_none()).collect())
}

/// The people a message mentions: `@` followed by their name (any case), longest names first so
/// that "@Ana Lima" is not taken for "@Ana". Only people who take part can be mentioned.
pub(crate) fn mentions(body: &str, people: &[User]) -> Vec<UserId> {
    let lower = body.to_lowercase();
    let mut named: Vec<&User> = people.iter().filter(|u| !u.name.trim().is_empty()).collect();
    named.sort_by_key(|u| std::cmp::Reverse(u.name.chars().count()));
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut out = Vec::new();
    for u in named {
        let needle = format!("@{}", u.name.trim().to_lowercase());
        for (at, _) in lower.match_indices(&needle) {
            let end = at + needle.len();
            // A whole name: not followed by more of a word.
            if lower[end..].chars().next().is_some_and(char::is_alphanumeric) {
                continue;
            }
            if taken.iter().any(|(a, b)| at < *b && end > *a) {
                continue;
            }
            taken.push((at, end));
            if !out.contains(&u.id) {
                out.push(u.id);
            }
        }
    }
    out
}

/// Everyone who takes part in a conversation: both sides' people, then the invited curators
/// (unless blocked), each once.
pub(crate) async fn participants(
    state: &AppState,
    c: &Conversation,
    challenge: &Record,
    offer: &Record,
) -> ApiResult<Vec<User>> {
    let mut people = people_of(state, challenge).await?;
    for u in people_of(state, offer).await? {
        if !people.iter().any(|p| p.id == u.id) {
            people.push(u);
        }
    }
    for curator in &c.curators {
        if !people.iter().any(|p| p.id == *curator)
            && let Some(u) = state.store.user(*curator).await?.filter(|u| u.blocked_at.is_none())
        {
            people.push(u);
        }
    }
    Ok(people)
}

/// Mails `people` (but those in `except`) about the conversation.
async fn mail_each(
    state: &AppState,
    c: &Conversation,
    people: &[User],
    except: &[UserId],
    subject: &str,
    text: &str,
) -> ApiResult<()> {
    let letters = super::auth::Accounts { state };
    for u in people.iter().filter(|u| !except.contains(&u.id)) {
        state.store.enqueue_mail(letters.letters().conversation(u, subject, text, &c.id.to_string())).await?;
    }
    Ok(())
}

/// Mails both sides and the invited curators (but those in `except`) about the conversation.
pub(crate) async fn notify_everyone(
    state: &AppState,
    c: &Conversation,
    challenge: &Record,
    offer: &Record,
    except: &[UserId],
    subject: &str,
    text: &str,
) -> ApiResult<()> {
    let people = participants(state, c, challenge, offer).await?;
    mail_each(state, c, &people, except, subject, text).await
}

pub(crate) async fn view(
    state: &AppState,
    caller: &Caller,
    c: &Conversation,
    challenge: &Record,
    offer: &Record,
    side: Option<Side>,
) -> ApiResult<Value> {
    let user = caller.user.as_ref().ok_or_else(Caller::unauthenticated)?;
    let messages = state.store.messages(c.id).await?;
    let read_at = state.store.read_at(c.id, user.id).await?;
    let unread =
        messages.iter().filter(|m| m.author_id != Some(user.id) && read_at.is_none_or(|r| m.created_at > r)).count();
    Ok(json!({
        "id": c.id, "status": c.status, "declined_by": c.declined_by, "decline_reason": c.decline_reason,
        "challenge": {"id": challenge.id, "title": challenge.content.title},
        "offer": {"id": offer.id, "kind": offer.kind().code(), "title": offer.content.title},
        "your_side": side.map(|s| s.as_str()).unwrap_or("curator"),
        "curators": c.curators, "unread": unread,
        "created_at": c.created_at, "updated_at": c.updated_at,
    }))
}

/// Says that the caller's side is interested in a match. The caller must own or edit the
/// challenge (interest for the challenge) or the practice or solution (interest for the
/// offer). When both sides are interested, their private conversation opens and both are told.
#[utoipa::path(post, path = "/api/v1/interests", tag = "matching",
    request_body(content = InterestRequestDoc, content_type = "application/json"),
    responses((status = 200, body = InterestDoc), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn express_interest(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<JsonResponse> {
    let (_, actor) = caller.require_member()?;
    let (challenge_id, offer_id) = read_body(&body, |c, o| {
        let mut id = |key: &'static str| -> Option<RecordId> {
            let raw = c.line(o, key, 40);
            match raw.as_deref().map(RecordId::parse) {
                Some(Ok(id)) => Some(id),
                Some(Err(_)) => {
                    c.report(&o.path(key), "invalid_value", "is not a record id");
                    None
                }
                None => {
                    c.report(&o.path(key), "required", "is required");
                    None
                }
            }
        };
        (id("challenge"), id("offer"))
    })?;
    let (Some(challenge_id), Some(offer_id)) = (challenge_id, offer_id) else {
        return Err(ApiError::Internal("ids checked".into()));
    };
    let (sides, conversation) = interest(&state, &caller, &actor, challenge_id, offer_id).await?;
    Ok(JsonResponse::ok(&json!({"sides": sides, "conversation": conversation})))
}

/// Records the caller's side's interest; returns the sides interested so far and the
/// conversation, if open. Both sides are told by mail when it opens.
pub(crate) async fn interest(
    state: &AppState,
    caller: &Caller,
    actor: &banyan_store::Actor,
    challenge_id: RecordId,
    offer_id: RecordId,
) -> ApiResult<(Vec<&'static str>, Option<ConversationId>)> {
    let challenge = live(state, challenge_id)
        .await?
        .filter(|r| r.kind() == Kind::Challenge && caller.viewer.can_view(r))
        .ok_or_else(|| ApiError::field("challenge", "not_found", "is not a challenge you can see"))?;
    let offer = live(state, offer_id)
        .await?
        .filter(|r| matches!(r.kind(), Kind::Practice | Kind::Solution) && r.is_public())
        .ok_or_else(|| ApiError::field("offer", "not_found", "is not a published practice or solution"))?;
    let side = side_of(caller, &challenge, &offer).ok_or_else(|| {
        ApiError::Forbidden(
            "only the owners and editors of the challenge or of the practice or solution say they are interested"
                .into(),
        )
    })?;
    let before = state.store.interests(challenge.id, offer.id).await?;
    let (interests, conversation) = state.store.express_interest(challenge.id, offer.id, side, actor).await?;
    // Both sides are told once: when this call is the one that completed the pair.
    let opened_now = conversation.is_some() && !before.iter().any(|i| i.side == side);
    if let Some(c) = &conversation
        && opened_now
    {
        let text = format!(
            "Both sides are interested in “{}” for the challenge “{}”. Your private conversation is open.",
            offer.content.title, challenge.content.title
        );
        notify_everyone(state, c, &challenge, &offer, &[], "A conversation is open", &text).await?;
        move_into_conversation(state, &challenge).await?;
    }
    Ok((interests.iter().map(|i| i.side.as_str()).collect(), conversation.map(|c| c.id)))
}

/// An open challenge moves into conversation when its first conversation opens: a new revision,
/// written by Banyan itself. A challenge that moved on already, or changed meanwhile, stays.
async fn move_into_conversation(state: &AppState, challenge: &Record) -> ApiResult<()> {
    let banyan_domain::Details::Challenge(details) = &challenge.content.details else { return Ok(()) };
    if !matches!(details.state, None | Some(banyan_domain::ChallengeState::Open)) {
        return Ok(());
    }
    let mut content = challenge.content.clone();
    if let banyan_domain::Details::Challenge(d) = &mut content.details {
        d.state = Some(banyan_domain::ChallengeState::InConversation);
    }
    let input = banyan_domain::RecordInput { content, slug: None };
    match state
        .store
        .update_record(challenge.id, challenge.version, input, &banyan_store::Actor::system("matching"))
        .await
    {
        Ok(_) | Err(banyan_store::StoreError::Conflict { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The records the caller owns or edits (for their conversations).
pub(crate) async fn my_records(state: &AppState, caller: &Caller) -> ApiResult<Vec<RecordId>> {
    let Some(user) = &caller.user else { return Ok(Vec::new()) };
    let mut queries =
        vec![RecordQuery { visibility: Visibility::All, owner: Some(user.id), limit: 500, ..Default::default() }];
    for (org, role) in &caller.viewer.memberships {
        if matches!(role, OrgRole::Owner | OrgRole::Editor) {
            queries.push(RecordQuery {
                visibility: Visibility::All,
                organisation: Some(*org),
                limit: 500,
                ..Default::default()
            });
        }
    }
    let mut ids = Vec::new();
    for q in queries {
        let mut q = q;
        loop {
            let page = state.store.list_records(&q).await?;
            ids.extend(
                page.items
                    .iter()
                    .filter(|r| matches!(r.kind(), Kind::Challenge | Kind::Practice | Kind::Solution))
                    .map(|r| r.id),
            );
            match page.next_cursor {
                // Bounded: conversations are listed for the first 5,000 such records of a person.
                Some(c) if ids.len() < 5000 => q.cursor = Some(c),
                _ => break,
            }
        }
    }
    ids.sort_by_key(|r| r.0);
    ids.dedup();
    Ok(ids)
}

/// The caller's conversations: about the records they own or edit, and those they were invited
/// to as a curator; most recent activity first, each with its unread count.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "matching",
    responses((status = 200, body = ConversationsDoc), (status = 401, body = Problem)))]
async fn list_conversations(State(state): State<AppState>, caller: Caller) -> ApiResult<JsonResponse> {
    let user = caller.user.as_ref().ok_or_else(Caller::unauthenticated)?;
    let mine = my_records(&state, &caller).await?;
    let mut items = Vec::new();
    for c in state.store.conversations_about(&mine, Some(user.id)).await? {
        let (Some(challenge), Some(offer)) = (live(&state, c.challenge_id).await?, live(&state, c.offer_id).await?)
        else {
            continue;
        };
        let side = side_of(&caller, &challenge, &offer);
        if side.is_none() && !c.curators.contains(&user.id) {
            continue;
        }
        items.push(view(&state, &caller, &c, &challenge, &offer, side).await?);
    }
    Ok(JsonResponse::ok(&json!({"items": items})).header(axum::http::header::CACHE_CONTROL, "private, no-store"))
}

/// One conversation with its messages, oldest first; reading it marks it read for the caller.
#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "matching", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = ConversationDoc), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn get_conversation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse> {
    let (c, challenge, offer, side) = reachable(&state, &caller, &id).await?;
    let mut body = view(&state, &caller, &c, &challenge, &offer, side).await?;
    let messages = state.store.messages(c.id).await?;
    body["messages"] = json!(messages);
    if let Some(user) = &caller.user {
        state.store.mark_read(c.id, user.id).await?;
    }
    Ok(JsonResponse::ok(&body).header(axum::http::header::CACHE_CONTROL, "private, no-store"))
}

pub(crate) fn read_text(body: &Value, key: &'static str, max: usize) -> ApiResult<String> {
    read_body(body, |c, o| {
        let text = c.block(o, key, max);
        if text.is_none() {
            c.report(&o.path(key), "required", "is required");
        }
        text.unwrap_or_default()
    })
}

/// Writes a message. The other side (and invited curators) are told by mail.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages", tag = "matching", params(("id" = uuid::Uuid, Path)),
    request_body(content = MessageRequestDoc, content_type = "application/json"),
    responses((status = 201, body = banyan_store::Message), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 404, body = Problem)))]
async fn post_message(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<JsonResponse> {
    let text = read_text(&body, "body", limits::LONG_TEXT);
    let message = write_message(&state, &caller, &id, text).await?;
    Ok(JsonResponse::with_status(StatusCode::CREATED, &message))
}

/// Writes a message as the caller. The conversation is checked before the text, so that
/// strangers get "not found" whatever they send. The other side and invited curators are told.
pub(crate) async fn write_message(
    state: &AppState,
    caller: &Caller,
    id: &str,
    text: ApiResult<String>,
) -> ApiResult<banyan_store::Message> {
    let (_, actor) = caller.require_member()?;
    let (c, challenge, offer, side) = reachable(state, caller, id).await?;
    let text = text?;
    let message = state.store.add_message(c.id, side.map_or("curator", |s| s.as_str()), &text, &actor).await?;
    let me = caller.user.as_ref().map(|u| u.id);
    let people = participants(state, &c, &challenge, &offer).await?;
    let mentioned: Vec<UserId> = mentions(&text, &people).into_iter().filter(|u| Some(*u) != me).collect();
    let titles = format!("“{}” and “{}”", challenge.content.title, offer.content.title);
    let others: Vec<UserId> = people.iter().map(|u| u.id).filter(|u| !mentioned.contains(u)).collect();
    let notice = format!("You were mentioned in a message about {titles}.");
    mail_each(state, &c, &people, &others, "You were mentioned", &notice).await?;
    let mut skip = mentioned;
    skip.extend(me);
    mail_each(state, &c, &people, &skip, "A new message", &format!("A new message about {titles}.")).await?;
    Ok(message)
}

/// Declines the conversation, with a reason the other side sees. Only its parties may.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/decline", tag = "matching", params(("id" = uuid::Uuid, Path)),
    request_body(content = DeclineRequestDoc, content_type = "application/json"),
    responses((status = 200, body = ConversationDoc), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn decline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<JsonResponse> {
    let reason = read_text(&body, "reason", 2000);
    let (c, challenge, offer, side) = decline_as(&state, &caller, &id, reason).await?;
    Ok(JsonResponse::ok(&view(&state, &caller, &c, &challenge, &offer, Some(side)).await?))
}

/// Declines the conversation for the caller's side; the other side is told, with the reason.
pub(crate) async fn decline_as(
    state: &AppState,
    caller: &Caller,
    id: &str,
    reason: ApiResult<String>,
) -> ApiResult<(Conversation, Record, Record, Side)> {
    let (_, actor) = caller.require_member()?;
    let (c, challenge, offer, side) = reachable(state, caller, id).await?;
    let side = side.ok_or_else(|| ApiError::Forbidden("only the two sides decline; curators facilitate".into()))?;
    let reason = reason?;
    let c = state.store.decline_conversation(c.id, side, &reason, &actor).await?;
    let notice = format!(
        "The conversation about “{}” and “{}” was declined: {reason}",
        challenge.content.title, offer.content.title
    );
    let me: Vec<UserId> = caller.user.iter().map(|u| u.id).collect();
    notify_everyone(state, &c, &challenge, &offer, &me, "A conversation was declined", &notice).await?;
    Ok((c, challenge, offer, side))
}

/// Invites a curator of the network to facilitate. Only its parties may; the person invited
/// must be a curator or an admin.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/curators", tag = "matching", params(("id" = uuid::Uuid, Path)),
    request_body(content = InviteCuratorRequestDoc, content_type = "application/json"),
    responses((status = 200, body = ConversationDoc), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn invite_curator(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<JsonResponse> {
    let (_, actor) = caller.require_member()?;
    let (c, challenge, offer, side) = reachable(&state, &caller, &id).await?;
    let side = side.ok_or_else(|| ApiError::Forbidden("the two sides invite curators".into()))?;
    let raw = read_text(&body, "user", 40)?;
    let curator =
        UserId::parse(raw.trim()).ok().ok_or_else(|| ApiError::field("user", "invalid_value", "is not a user id"))?;
    let person = state
        .store
        .user(curator)
        .await?
        .filter(|u| u.role.is_staff() && u.blocked_at.is_none())
        .ok_or_else(|| ApiError::field("user", "not_a_curator", "is not a curator of this network"))?;
    let c = state.store.invite_curator(c.id, curator, &actor).await?;
    let notice = format!(
        "You are invited to facilitate the conversation about “{}” and “{}”.",
        challenge.content.title, offer.content.title
    );
    let letters = super::auth::Accounts { state: &state };
    state
        .store
        .enqueue_mail(letters.letters().conversation(
            &person,
            "You are invited to a conversation",
            &notice,
            &c.id.to_string(),
        ))
        .await?;
    Ok(JsonResponse::ok(&view(&state, &caller, &c, &challenge, &offer, Some(side)).await?))
}
