//! Hooks: the page's side effects, one per file.
pub mod use_docker;
pub mod use_session;
pub mod use_worker;
