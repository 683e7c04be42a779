//! Typed text: a field's value from the text a person typed, as the contract types the
//! field. The one coercion shared by the CSV reader's cells and the REPL's `field=value`, so
//! both accept and refuse the same texts with the same messages.

use crate::ast::SubjectKind;
use crate::schema::{self, FieldType, Schema};
use crate::value::{Date, Value};

/// The value of the field at a dotted `path` of a subject of `kind` (`funding.amount`,
/// `approval.status`) from its text: a number, `true`/`false` (是/否), a date that exists
/// (YYYY-MM-DD), one of an enumeration's words, a list separated by `;`. A field the
/// contract does not name is kept as text.
///
/// ```
/// use zhunru::{SubjectKind, Value, input::coerce};
/// assert_eq!(coerce(SubjectKind::Task, "funding.amount", "3000"), Ok(Value::Number(3000.0)));
/// assert!(coerce(SubjectKind::Task, "approval.status", "ok").is_err());
/// assert_eq!(coerce(SubjectKind::Task, "note", "x"), Ok(Value::Text("x".into())));
/// ```
pub fn coerce(kind: SubjectKind, path: &str, text: &str) -> Result<Value, String> {
    coerce_in(schema::contract(), kind, path, text)
}

/// [`coerce`] with the fields of `schema` (a policy's declared fields and the contract's).
pub(crate) fn coerce_in(
    schema: &Schema,
    kind: SubjectKind,
    path: &str,
    text: &str,
) -> Result<Value, String> {
    let parts: Vec<&str> = path.split('.').collect();
    match schema.resolve(kind, &parts) {
        Ok(ty) => coerce_typed(path, ty, text),
        // A near miss below the top (`funding.amout`) is a typo, as in JSON and CSV.
        Err((at, _))
            if let Some(parent) = parts.get(..at)
                && let Some(FieldType::Object(specs)) =
                    schema.spec(Some(kind), parent).map(|s| &s.ty)
                && let Some(why) = schema::misspelt(
                    &parent.join("."),
                    specs,
                    parts.get(at).copied().unwrap_or(""),
                ) =>
        {
            Err(format!("field `{path}`: {why}"))
        }
        // At the top, a near miss that is no field of any kind (`fundng`) is a typo too.
        Err((0, _))
            if let Some(first) = parts.first()
                && schema.top_level(first, None).is_none()
                && let Some(why) = schema.misspelt_top(first) =>
        {
            Err(format!("field `{path}`: {why}"))
        }
        // A field the contract does not name is kept, as text.
        Err(_) => coerce_typed(path, &FieldType::Text, text),
    }
}

/// [`coerce`] for a type already resolved; `name` is the field as messages show it.
pub(crate) fn coerce_typed(name: &str, ty: &FieldType, text: &str) -> Result<Value, String> {
    let trimmed = text.trim();
    // A number, date, yes/no or one-of value typed in full-width forms (３０００,
    // ２０２０－０６－０１, as a Chinese input method gives them) is read as NFKC makes it, in a
    // CSV cell as in the REPL (the REPL read them, CSV refused them). Messages quote the text
    // as written.
    let folded = crate::normalize::normalize(text);
    let folded: &str = &folded;
    let wrong = || {
        format!(
            "field `{name}` should be {}, found \"{trimmed}\"",
            ty.describe()
        )
    };
    if matches!(ty, FieldType::Text | FieldType::Any | FieldType::TextList)
        && let Some(message) = crate::value::control_character(name, text)
    {
        return Err(message);
    }
    match ty {
        FieldType::Text | FieldType::Any => Ok(Value::Text(text.to_owned())),
        FieldType::Number => {
            // `f64::from_str` also reads `inf` and `NaN`, which are not amounts.
            let plain = folded
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
            let integer = folded.trim_start_matches(['-', '+']);
            if !integer.is_empty()
                && integer.bytes().all(|b| b.is_ascii_digit())
                && integer
                    .parse::<u64>()
                    .map_or(true, |n| n > crate::value::MAX_EXACT_INTEGER)
            {
                return Err(crate::value::inexact_number(name, Some(trimmed)));
            }
            match folded.parse::<f64>() {
                Ok(n) if plain && n.abs() > crate::value::MAX_EXACT_INTEGER as f64 => {
                    Err(crate::value::inexact_number(name, Some(trimmed)))
                }
                Ok(n) if plain && n.is_finite() => Ok(Value::Number(n)),
                _ => Err(wrong()),
            }
        }
        FieldType::Bool => match folded {
            "true" | "TRUE" | "True" | "是" => Ok(Value::Bool(true)),
            "false" | "FALSE" | "False" | "否" => Ok(Value::Bool(false)),
            _ => Err(format!(
                "field `{name}` should be `true` or `false`, found \"{trimmed}\""
            )),
        },
        FieldType::Date => match Date::parse(folded) {
            Some(_) => Ok(Value::Text(folded.to_owned())),
            None => Err(format!(
                "field `{name}` should be a date written YYYY-MM-DD that exists on the calendar, found \"{trimmed}\""
            )),
        },
        FieldType::Enum(choices) => {
            // The contract's value, or a Chinese wording of it (`负责`, `已批准`).
            if let Some(value) = crate::schema::choose(choices, folded) {
                Ok(Value::Text(value.to_owned()))
            } else {
                Err(format!(
                    "field `{name}` should be one of {}, found \"{trimmed}\"",
                    crate::schema::choices_text(choices)
                ))
            }
        }
        FieldType::TextList => Ok(Value::List(
            text.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::Text(s.to_owned()))
                .collect(),
        )),
        // Object columns are refused with the header.
        FieldType::Object(_) => Err(wrong()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::CsvReader;

    #[test]
    fn a_csv_cell_and_a_typed_field_are_read_alike() {
        // What the REPL's `field=value` passes to `coerce` and what a CSV cell holds are
        // accepted, typed and refused the same, with the same message.
        let cases = [
            ("funding.amount", "3000"),
            ("funding.amount", "三千"),
            ("funding.amount", "inf"),
            ("work_plan", "是"),
            ("work_plan", "maybe"),
            ("period.end", "2020-02-30"),
            ("period.end", "2020-06-30"),
            ("approval.status", "approved"),
            ("approval.status", "ok"),
            ("basis", "甲;乙"),
            ("note", "free text"),
            ("funding.amount", "３０００"),
            ("period.end", "２０２０－０６－３０"),
        ];
        for (path, text) in cases {
            let csv = format!("category,{path}\nx,{text}\n");
            let read = CsvReader::new(csv.as_bytes(), "t.csv").next();
            let from_csv = match read {
                Some((_, Ok(subject))) => Ok(subject.get(path).cloned().unwrap_or(Value::Null)),
                Some((_, Err(e))) => Err(e.message),
                None => Err("no row".to_owned()),
            };
            assert_eq!(
                coerce(SubjectKind::Task, path, text),
                from_csv,
                "{path}={text}"
            );
        }
        // Full-width digits are read as the ASCII ones, in a cell as in the REPL.
        assert_eq!(
            coerce(SubjectKind::Task, "funding.amount", "３０００"),
            Ok(Value::Number(3000.0))
        );
        assert_eq!(
            coerce(SubjectKind::Task, "period.end", "２０２０－０６－３０"),
            Ok(Value::from("2020-06-30"))
        );
    }
}
