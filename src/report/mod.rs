//! Output for people (tables) and machines (JSON).

pub mod certs;
pub mod connections;
pub mod explain;
pub mod ordered;
pub mod show;
