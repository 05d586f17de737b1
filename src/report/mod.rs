//! Output for people (tables) and machines (JSON).

pub mod connections;
pub mod explain;
pub mod show;
