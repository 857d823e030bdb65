use rand::RngExt;

/// A new opaque, unguessable, roughly time-ordered identifier (UUIDv7 without
/// dashes). Used for every public id so URLs never expose sequences.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// `bytes` random bytes from the OS-seeded generator, hex encoded.
pub fn new_secret_token(bytes: usize) -> String {
    let mut rng = rand::rng();
    let buf: Vec<u8> = (0..bytes).map(|_| rng.random::<u8>()).collect();
    hex::encode(buf)
}
