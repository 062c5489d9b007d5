//! WFS 2.0.0, 1.1.0 and 1.0.0: requests and documents.

pub mod capabilities;
pub mod request;
pub mod stored_queries;
pub mod transaction;
pub mod xml_request;
