//! Invisible proof of work, modelled on the open ALTCHA protocol: the server
//! issues a signed hash puzzle with the form, the reader's browser solves it
//! in a Web Worker while they type, and the submission carries the solution.
//! It costs a reader a fraction of a second once and a bulk sender that
//! much per comment, more as its address and network send more.

mod puzzle;
mod service;

pub use puzzle::{
    ALGORITHM, Difficulty, Issued, PowFailure, Solution, difficulty, salt_params, solve,
};
pub use service::{CheckedProof, PowOutcome, PowService};
