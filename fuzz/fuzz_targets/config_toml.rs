//! Fuzzes config parsing: any bytes must give a config or a one-line error naming the file,
//! never a panic; an accepted config has every numeric key inside its valid range.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match formcheck::config::Config::from_toml(text, std::path::Path::new("fuzz.toml")) {
            Ok(config) => {
                assert!(config.validate().is_ok());
                assert_eq!(formcheck::config_ranges::check(&config), Ok(()));
                for (key, value) in formcheck::config_ranges::numeric_keys(&config) {
                    assert!(value.is_finite(), "{key} = {value} accepted");
                }
            }
            Err(e) => {
                let message = e.to_string();
                assert!(message.starts_with("fuzz.toml"), "{message}");
                assert!(!message.contains('\n'), "{message}");
            }
        }
    }
});
