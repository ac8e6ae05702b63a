//! What the OpenAPI document says of every operation besides what its handler declares: the
//! problem responses every operation can give, as `application/problem+json`.
//!
//! Checked by Schemathesis (`crates/web/tests/python/schemathesis_run.py`): every status and
//! content type the server sends is one the document names, and every body fits its schema.

use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{AnyOf, Schema};
use utoipa::openapi::{OpenApi, RefOr, Response};

const PROBLEM: &str = "application/problem+json";

/// Completes the document in place.
pub fn complete(doc: &mut OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        let operations = [
            (&mut item.get, "GET"),
            (&mut item.put, "PUT"),
            (&mut item.post, "POST"),
            (&mut item.delete, "DELETE"),
            (&mut item.patch, "PATCH"),
        ];
        for (op, method) in operations {
            if let Some(op) = op.as_mut() {
                complete_operation(path, method, op);
            }
        }
    }
    // utoipa writes an untagged enum as `oneOf`. A record's details are told apart by the
    // record's `kind` beside them, not by their own fields, so one kind's details may also fit
    // another kind's schema: `anyOf` is what is true of them.
    if let Some(components) = doc.components.as_mut() {
        for schema in components.schemas.values_mut() {
            if let RefOr::T(Schema::OneOf(one)) = schema
                && one.discriminator.is_none()
            {
                let mut any = AnyOf::new();
                any.items = std::mem::take(&mut one.items);
                any.description = one.description.take();
                any.example = one.example.take();
                *schema = RefOr::T(Schema::AnyOf(any));
            }
        }
    }
}

fn complete_operation(path: &str, method: &str, op: &mut Operation) {
    let responses = &mut op.responses.responses;
    // Problems the handler declared, under their real content type.
    for response in responses.values_mut() {
        if let RefOr::T(r) = response
            && let Some(content) = r.content.shift_remove("application/json")
        {
            let is_problem = matches!(&content, RefOr::T(c)
                if matches!(&c.schema, Some(RefOr::Ref(rf)) if rf.ref_location.ends_with("/Problem")));
            let key = if is_problem { PROBLEM } else { "application/json" };
            r.content.insert(key.to_string(), content);
        }
    }
    let has_parameters = op.parameters.as_ref().is_some_and(|p| !p.is_empty()) || path.contains('{');
    let has_body = op.request_body.is_some();
    let unsafe_method = method != "GET";
    let mut add = |code: &str, why: &str| {
        responses.entry(code.to_string()).or_insert_with(|| problem(why));
    };
    if has_parameters || has_body {
        add("400", "A parameter or the body is not valid; the problem names each field");
    }
    add("401", "The bearer token or session is not valid, or this needs one");
    if unsafe_method || op.security.is_some() {
        add("403", "Signed in, but not allowed to do this");
    }
    if path.contains('{') {
        add("404", "There is no such thing, or it is not visible to the caller");
    }
    if has_body {
        add("413", "The body is larger than the API accepts");
        add("415", "The body is not `application/json`");
    }
    if path.starts_with("/api/v1/auth/") {
        add("429", "Too many attempts; try again later");
    }
    add(
        "503",
        "The database is busy or away, or the server is busy and the request waited too long for its turn; try again after Retry-After seconds",
    );
}

fn problem(description: &str) -> RefOr<Response> {
    let content = utoipa::openapi::ContentBuilder::new()
        .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name("Problem"))))
        .build();
    RefOr::T(utoipa::openapi::ResponseBuilder::new().description(description).content(PROBLEM, content).build())
}
