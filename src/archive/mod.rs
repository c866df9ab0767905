//! Tar archives of installed versions: deterministic packing (`pack`) and
//! safe, relocating extraction (`unpack`).

pub mod pack;
pub mod relocate;
pub mod unpack;
