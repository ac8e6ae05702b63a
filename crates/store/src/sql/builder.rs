//! Builds a statement and its parameters together, numbering `$n` placeholders as it goes.

use super::SqlValue;

#[derive(Debug, Default)]
pub struct Sql {
    text: String,
    params: Vec<SqlValue>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql { text: text.to_string(), params: Vec::new() }
    }

    /// Appends SQL text.
    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind(&mut self, value: impl Into<SqlValue>) -> &mut Sql {
        self.params.push(value.into());
        self.text.push('$');
        self.text.push_str(&self.params.len().to_string());
        self
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn finish(self) -> (String, Vec<SqlValue>) {
        (self.text, self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut q = Sql::new("SELECT 1 FROM t WHERE a = ");
        q.bind("x").push(" AND b IN (").bind(1i64).push(", ").bind(true).push(")");
        let (text, params) = q.finish();
        assert_eq!(text, "SELECT 1 FROM t WHERE a = $1 AND b IN ($2, $3)");
        assert_eq!(params, [SqlValue::Text("x".into()), SqlValue::Int(1), SqlValue::Bool(true)]);
    }
}
