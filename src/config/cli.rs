//! How clap reads the settings: blank variables count as unset, and a bad
//! value is told in one line naming the setting.
use super::Settings;

/// A setting set to nothing (or blanks) counts as unset, as it always has:
/// `FOO=` in a compose file or a shell keeps the default. Turns off the
/// environment variable of every argument of `cmd` whose variable is blank.
pub fn ignore_blank_env(cmd: clap::Command) -> clap::Command {
    cmd.mut_args(|a| {
        let blank = a.get_env().is_some_and(|name| {
            std::env::var_os(name).is_some_and(|v| v.to_string_lossy().trim().is_empty())
        });
        if blank {
            a.env(clap::builder::Resettable::Reset)
        } else {
            a
        }
    })
}

/// A clap error about a setting's value as one line naming the variable
/// and the flag (`configuration: DB_POOL_SIZE="0" (--db-pool-size): must be
/// 1–10000 connections`); secrets are not echoed. `None` for other errors
/// (unknown flags, help, version).
pub fn describe_setting_error(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if !matches!(
        e.kind(),
        ErrorKind::ValueValidation | ErrorKind::InvalidValue
    ) {
        return None;
    }
    let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg) else {
        return None;
    };
    let long = arg
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .trim_start_matches('-')
        .to_string();
    let cmd = Settings::command();
    let setting = cmd
        .get_arguments()
        .find(|a| a.get_long() == Some(long.as_str()))?;
    let env = setting
        .get_env()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    let value = match e.get(ContextKind::InvalidValue) {
        Some(ContextValue::String(v)) if !setting.is_hide_env_values_set() => format!("={v:?}"),
        _ => String::new(),
    };
    let reason = match (std::error::Error::source(e), e.get(ContextKind::ValidValue)) {
        (Some(source), _) => source.to_string(),
        (None, Some(ContextValue::Strings(valid))) => {
            format!("must be one of {}", valid.join(", "))
        }
        (None, _) => "not a valid value".to_string(),
    };
    Some(format!("configuration: {env}{value} (--{long}): {reason}"))
}
