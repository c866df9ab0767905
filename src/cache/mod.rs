//! The binary cache: buckets (S3, HTTP, local folders), object keys, build
//! manifests and the streaming fetch; `publish` packs and uploads.

pub mod bucket;
pub mod fetch;
pub mod host;
pub mod key;
pub mod manifest;
pub mod publish;
