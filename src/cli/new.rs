//! `zhunru new NAME`: start a new district's policy — a skeleton with a document, a parent,
//! lists, a deny, an admit and a refer rule, and its tests file — that checks clean and
//! passes its tests as it stands, so a drafter edits from something that works.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

/// Arguments of `zhunru new`.
#[derive(Args, Debug)]
pub struct NewArgs {
    /// The district's name as used in paths and by `:district` (lowercase ASCII, e.g.
    /// `erqi`): the policy is written to DIR/NAME.policy.
    name: String,
    /// The folder of policies.
    #[arg(long, default_value = "policies")]
    dir: PathBuf,
    /// The jurisdiction, e.g. 「郑州市二七区」.
    #[arg(long, default_value = "某市某区")]
    jurisdiction: String,
    /// The parent policy, relative to DIR (default: national.policy when DIR has it).
    #[arg(long)]
    parent: Option<String>,
}

/// Run `zhunru new`.
pub fn run(args: NewArgs) -> ExitCode {
    let valid = !args.name.is_empty()
        && args
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !valid {
        eprintln!(
            "error: the name `{}` should be lowercase ASCII letters, digits, `_` or `-` (e.g. erqi): it names the file and the district",
            args.name
        );
        return ExitCode::from(2);
    }
    let policy = args.dir.join(format!("{}.policy", args.name));
    let tests = args.dir.join("tests").join(format!("{}.json", args.name));
    for path in [&policy, &tests] {
        if path.exists() {
            eprintln!(
                "error: `{}` exists already; nothing was written",
                path.display()
            );
            return ExitCode::from(1);
        }
    }
    let parent = args.parent.clone().or_else(|| {
        args.dir
            .join("national.policy")
            .exists()
            .then(|| "national.policy".to_owned())
    });
    let text = skeleton(&args.jurisdiction, parent.as_deref());
    let written = std::fs::create_dir_all(args.dir.join("tests"))
        .and_then(|()| std::fs::write(&policy, &text))
        .and_then(|()| std::fs::write(&tests, TESTS));
    if let Err(e) = written {
        eprintln!("error: cannot write the skeleton: {e}");
        return ExitCode::from(1);
    }
    println!("wrote {}", policy.display());
    println!("wrote {}", tests.display());
    println!(
        "next: put your document's title, 文号 and clauses in the file, then run\n  zhunru check {p}\n  zhunru test --coverage {p}\n  zhunru notice {p} -f html -o notice.html",
        p = display(&policy)
    );
    ExitCode::SUCCESS
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

/// The skeleton policy: every part a district's policy has, each marked as an example.
fn skeleton(jurisdiction: &str, parent: Option<&str>) -> String {
    let parent = parent
        .map(|p| format!("  上位 \"{p}\"\n"))
        .unwrap_or_default();
    format!(
        r#"// {jurisdiction} · 社区工作事项准入
// 这是 `zhunru new` 生成的骨架：文件、条款和清单条目都是示例，请换成本区文件的原文。
// 原文没有给出的条目标为“示例”；条款的文字照抄原文，或写明是摘要。

政策 「{jurisdiction}社区工作事项准入规则」
  辖区 「{jurisdiction}」
  来源 「（填写本区文件的标题）」
{parent}
文件 「（填写文件标题，如《社区工作事项准入制度管理办法（试行）》）」
  发文机关 「（填写发文机关）」
  文号 「（填写文号）」
  层级 「区县」
{{
  条款 第二条 「（照抄：社区依法履行职责事项清单……）」 示例
  条款 第三条 「（照抄：负面清单所列事项不得下放社区……）」 示例
  条款 第四条 「（照抄：清单以外事项须经准入审批……）」 示例
  条款 第五条 「（照抄：费随事转……）」 费随事转 示例
}}

清单 履职清单 「社区依法履行职责事项清单」 引用 第二条 {{
  示例 「居民会议组织」
}}

清单 负面清单 「社区工作事项负面清单」 引用 第三条 {{
  示例 「示例负面事项」
}}

规则 负面事项不得下放 引用 第三条
  当 事项.category 属于 负面清单
  不予准入 「「{{事项.category}}」列入负面清单，不得下放社区」

规则 清单内事项 引用 第二条
  当 事项.category 属于 履职清单
  准予准入 「「{{事项.category}}」在社区依法履行职责事项清单之内」

规则 清单外事项须经审批 引用 第四条
  当 事项.category 不属于 履职清单 且 事项.category 不属于 负面清单
  须经审批 「「{{事项.category}}」在清单之外，须经准入审批」

规则 审批准入费随事转 引用 第四条, 第五条
  当 事项.category 不属于 履职清单
  要求 事项.approval.status == "approved" 记为 approval，
       事项.approval.date <= 今天 记为 approval_date，
       事项.funding.amount > 0 记为 funding
  准予准入 「「{{事项.category}}」经准入审批，配套经费{{事项.funding.amount}}元」
"#
    )
}

/// Tests that exercise every rule and entry of the skeleton.
const TESTS: &str = r#"{
  "as_of": "2024-06-01",
  "cases": [
    {
      "name": "第二条 清单内事项准入（示例条目）",
      "subject": { "category": "居民会议组织" },
      "expect": { "verdict": "admitted", "reasons": ["清单内事项"] }
    },
    {
      "name": "第三条 负面清单事项不得下放（示例条目）",
      "subject": { "category": "示例负面事项" },
      "expect": { "verdict": "denied", "reasons": ["负面事项不得下放"] }
    },
    {
      "name": "第四条 清单外事项须经审批",
      "subject": { "category": "企业摸底" },
      "expect": { "verdict": "needs_approval", "missing": ["approval", "approval_date", "funding"] }
    },
    {
      "name": "第五条 经审批并配套经费的事项准入",
      "subject": {
        "category": "企业摸底",
        "approval": { "status": "approved", "date": "2024-05-01" },
        "funding": { "amount": 3000, "per": "once" }
      },
      "expect": { "verdict": "admitted", "reasons": ["审批准入费随事转"] }
    }
  ]
}
"#;
