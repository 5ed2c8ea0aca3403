pub mod barman;
pub mod examples;
pub mod fakeio;
pub mod grants;
pub mod pg;
pub mod schema;
