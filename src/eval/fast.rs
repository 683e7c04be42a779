//! What the fast JSON Lines reader needs of a policy: the subject fields its rules read.

use crate::Policy;
use crate::ast::{Expr, ExprKind, MessagePart};
use crate::input::fast::LineDecoder;

impl Policy {
    /// The subject fields the rules read (conditions, exceptions, requirements and the
    /// fields quoted in messages, the parents' rules included), each as the field names
    /// after the subject (`["funding", "amount"]`), each once, in policy order.
    ///
    /// ```
    /// let policy = zhunru::Policy::from_file("policies/nanqiao.policy")?;
    /// assert!(policy.fields_read().contains(&vec!["category".to_owned()]));
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn fields_read(&self) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = Vec::new();
        let mut add = |fields: &Vec<String>| {
            if !out.contains(fields) {
                out.push(fields.clone());
            }
        };
        for rule in &self.ast().rules {
            let exprs = rule
                .when
                .iter()
                .chain(&rule.unless)
                .chain(rule.requirements.iter().map(|r| &r.expr));
            for expr in exprs {
                for path in expr.subexpressions().filter_map(path_of) {
                    add(path);
                }
            }
            for part in rule.outcome.node.message().iter().flat_map(|m| &m.parts) {
                if let MessagePart::Field { path, .. } = part {
                    add(&path.fields);
                }
            }
        }
        out
    }

    /// A reader of JSON Lines subjects that keeps only [`Policy::fields_read`] and hands
    /// back lines giving a field the policy declares: see [`LineDecoder`].
    ///
    /// See [`crate::input::fast::LineDecoder`] for an example.
    pub fn line_decoder(&self) -> LineDecoder {
        // Lines giving a declared field are read by the exact reader, which types them.
        let declared = self
            .ast()
            .fields
            .iter()
            .filter_map(|f| f.path.fields.first().cloned());
        LineDecoder::new(self.fields_read()).declared(declared)
    }
}

fn path_of(e: &Expr) -> Option<&Vec<String>> {
    match &*e.kind {
        ExprKind::Field(p)
        | ExprKind::CountField { path: p, .. }
        | ExprKind::Quantified { path: p, .. } => Some(&p.fields),
        _ => None,
    }
}
