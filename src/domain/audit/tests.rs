//! Checkpoints: signing, reading what was kept, and the judgement.

use super::*;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn checkpoint(key: &SigningKey, id: i64, audit_id: i64, hash: [u8; 32]) -> Checkpoint {
    let created_at = at("2026-12-01T07:30:00.123456Z");
    Checkpoint {
        id,
        audit_id,
        hash: hash.to_vec(),
        created_at,
        key_id: key.public().key_id(),
        signature: key.sign(audit_id, &hash, created_at),
    }
}

fn chain(rows: &[(i64, [u8; 32])]) -> ChainState {
    ChainState {
        rows: rows.len() as i64,
        newest: rows.last().map(|r| r.0),
        first_broken: None,
        hashes: rows.iter().map(|(id, h)| (*id, h.to_vec())).collect(),
        unchained: 0,
        unchained_broken: 0,
    }
}

#[test]
fn the_signed_message_names_row_hash_and_time_to_the_microsecond() {
    assert_eq!(
        String::from_utf8(message(42, &[0xab, 0x01], at("2026-12-01T07:30:00Z"))).unwrap(),
        "thidua-audit-checkpoint:v1:42:ab01:2026-12-01T07:30:00.000000Z"
    );
}

#[test]
fn a_signature_verifies_with_its_key_and_not_after_any_field_changes() {
    let key = SigningKey::generate();
    let c = checkpoint(&key, 1, 10, [7; 32]);
    assert!(key.public().verifies(&c));
    let mut other = c.clone();
    other.audit_id = 11;
    assert!(!key.public().verifies(&other));
    let mut other = c.clone();
    other.hash[0] ^= 1;
    assert!(!key.public().verifies(&other));
    let mut other = c.clone();
    other.created_at += chrono::Duration::microseconds(1);
    assert!(!key.public().verifies(&other));
    let mut other = c.clone();
    other.signature[5] ^= 1;
    assert!(!key.public().verifies(&other));
    assert!(!SigningKey::generate().public().verifies(&c));
}

#[test]
fn a_derived_key_depends_only_on_its_secret() {
    let a = SigningKey::derive(b"secret one, at least 32 bytes long!!");
    let b = SigningKey::derive(b"secret one, at least 32 bytes long!!");
    let c = SigningKey::derive(b"secret two, at least 32 bytes long!!");
    assert_eq!(a.public(), b.public());
    assert_ne!(a.public(), c.public());
}

#[test]
fn keys_round_trip_through_pem_and_the_published_forms() {
    let key = SigningKey::generate();
    let again = SigningKey::from_pem(key.to_pem().as_bytes()).unwrap();
    assert_eq!(again.public(), key.public());
    let p = key.public();
    assert_eq!(PublicKey::parse(&p.pem()).unwrap(), *p);
    assert_eq!(PublicKey::parse(&p.base64url()).unwrap(), *p);
    assert_eq!(PublicKey::parse(&hex::encode(p.raw())).unwrap(), *p);
    assert!(key.to_pem().starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert!(SigningKey::from_pem(p.pem().as_bytes()).is_err());
    assert!(PublicKey::parse("not a key").is_err());
}

#[test]
fn an_openssl_generated_key_is_accepted() {
    // `openssl genpkey -algorithm ed25519` (PKCS#8 v1) and its public key.
    let private = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIN4jSAWBdDgoqxjPJYsItJckU/H01Q4sPCphLTjkbB7Y\n-----END PRIVATE KEY-----\n";
    let public = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA09EWzp5oG3ljY88jQZDY2Qlb4HfGLIqMxqVxYH8yuLg=\n-----END PUBLIC KEY-----\n";
    let key = SigningKey::from_pem(private.as_bytes()).unwrap();
    assert_eq!(*key.public(), PublicKey::parse(public).unwrap());
}

#[test]
fn created_at_is_served_as_the_signed_text() {
    let key = SigningKey::generate();
    let mut c = checkpoint(&key, 1, 10, [1; 32]);
    c.created_at = at("2026-12-01T07:30:00.650Z");
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["createdAt"], "2026-12-01T07:30:00.650000Z");
    let back: Checkpoint = serde_json::from_value(json).unwrap();
    assert_eq!(back, c);
    // Another RFC 3339 spelling of the same instant reads the same.
    let mut other = serde_json::to_value(&c).unwrap();
    other["createdAt"] = "2026-12-01T14:30:00.65+07:00".into();
    assert_eq!(serde_json::from_value::<Checkpoint>(other).unwrap(), c);
}

#[test]
fn kept_files_are_read_as_arrays_pages_and_feed_json_lines() {
    let key = SigningKey::generate();
    let c = checkpoint(&key, 3, 10, [1; 32]);
    let as_json = serde_json::to_value(&c).unwrap();
    let array = serde_json::to_string(&vec![&as_json]).unwrap();
    assert_eq!(read_kept(&array).unwrap(), vec![c.clone()]);
    let page = serde_json::json!({"items": [as_json], "nextCursor": null}).to_string();
    assert_eq!(read_kept(&page).unwrap(), vec![c.clone()]);
    let feed = [
        serde_json::json!({"id": 1, "type": "user.created", "data": {"x": 1}}),
        serde_json::json!({"id": 2, "type": EVENT_TYPE, "entity": "audit_checkpoint", "data": as_json}),
    ]
    .iter()
    .map(|v| v.to_string())
    .collect::<Vec<_>>()
    .join("\n");
    assert_eq!(read_kept(&feed).unwrap(), vec![c.clone()]);
    assert!(
        read_kept("{\"id\": 1}\nnot json")
            .unwrap_err()
            .starts_with("line 2")
    );
    assert!(
        read_kept("[{\"hello\": 1}]")
            .unwrap_err()
            .starts_with("item 1")
    );
}

#[test]
fn an_intact_chain_passes_and_is_anchored_at_the_newest_kept_checkpoint() {
    let key = SigningKey::generate();
    let state = chain(&[(1, [1; 32]), (2, [2; 32]), (3, [3; 32])]);
    let kept = vec![
        checkpoint(&key, 1, 1, [1; 32]),
        checkpoint(&key, 2, 2, [2; 32]),
    ];
    let v = judge(&state, &kept, &kept, &[*key.public()]);
    assert!(v.ok(), "{:?}", v.findings);
    assert_eq!(v.anchored.as_ref().map(|c| c.audit_id), Some(2));
    assert!(
        v.lines()
            .iter()
            .any(|l| l.starts_with("anchored: rows up to 2"))
    );
}

#[test]
fn a_kept_checkpoint_whose_row_is_gone_is_tail_truncation() {
    let key = SigningKey::generate();
    let kept = vec![checkpoint(&key, 1, 3, [3; 32])];
    let v = judge(
        &chain(&[(1, [1; 32]), (2, [2; 32])]),
        &kept,
        &kept,
        &[*key.public()],
    );
    assert!(matches!(
        v.findings.as_slice(),
        [
            Finding::RowGone {
                source: Source::Server,
                audit_id: 3,
                newest: Some(2),
                ..
            },
            Finding::RowGone {
                source: Source::Kept,
                audit_id: 3,
                ..
            }
        ]
    ));
    assert!(v.lines()[0].contains("tail truncation"));
}

#[test]
fn a_different_hash_at_the_anchored_row_is_a_rewrite() {
    let key = SigningKey::generate();
    let kept = vec![checkpoint(&key, 1, 2, [2; 32])];
    let v = judge(
        &chain(&[(1, [1; 32]), (2, [9; 32])]),
        &kept,
        &[],
        &[*key.public()],
    );
    assert!(matches!(
        v.findings.as_slice(),
        [
            Finding::HashDiffers {
                source: Source::Kept,
                audit_id: 2,
                ..
            },
            Finding::NotOnServer { audit_id: 2 }
        ]
    ));
}

#[test]
fn an_altered_signature_or_an_untrusted_key_fails() {
    let key = SigningKey::generate();
    let state = chain(&[(1, [1; 32])]);
    let mut altered = checkpoint(&key, 1, 1, [1; 32]);
    altered.signature[0] ^= 0x80;
    let v = judge(
        &state,
        std::slice::from_ref(&altered),
        std::slice::from_ref(&altered),
        &[*key.public()],
    );
    assert!(v.findings.contains(&Finding::BadSignature {
        source: Source::Kept,
        audit_id: 1,
        key_id: key.public().key_id()
    }));
    let forger = SigningKey::generate();
    let forged = checkpoint(&forger, 1, 1, [1; 32]);
    let v = judge(&state, std::slice::from_ref(&forged), &[], &[*key.public()]);
    assert!(matches!(v.findings[0], Finding::UnknownKey { .. }));
    // Naming the trusted key's id does not help a forger.
    let mut forged = forged;
    forged.key_id = key.public().key_id();
    let v = judge(&state, std::slice::from_ref(&forged), &[], &[*key.public()]);
    assert!(matches!(v.findings[0], Finding::BadSignature { .. }));
}

#[test]
fn a_broken_chain_fails_even_without_checkpoints() {
    let mut state = chain(&[(1, [1; 32]), (2, [2; 32])]);
    state.first_broken = Some(2);
    let v = judge(&state, &[], &[], &[]);
    assert_eq!(v.findings, vec![Finding::ChainBroken { row: 2 }]);
    assert!(!v.ok());
}
