// Tests never read the developer's .env or storage/: each builds its own configuration.
process.env.LOG_LEVEL ??= 'silent';
