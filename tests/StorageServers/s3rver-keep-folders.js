// Loaded into s3rver with --require. s3rver stores each key as a file and removes a key's folder when its last
// object is deleted; a put into that folder at the same moment then crashes the whole server (ENOENT on a write
// stream nobody listens to). S3 has no folders, so keeping empty ones changes nothing a client can see.
'use strict';
const path = require('path');
const s3rver = require.resolve('s3rver');
const fsExtra = require(require.resolve('fs-extra', { paths: [path.dirname(s3rver)] }));
fsExtra.rmdir = async () => {};
