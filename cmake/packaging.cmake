# The Debian package (CPack's DEB generator): `cpack -G DEB` in the build
# directory, or scripts/build-deb.sh. It holds
#   /usr/bin/kura                         the server and its tools (stripped)
#   /lib/systemd/system/kura.service      packaging/kura.service, its paths /usr's
#   /usr/share/kura/kura.env              the settings template postinst copies
#                                         to /etc/kura/kura.env (root's, 0600)
#   /usr/share/doc/kura/                  operations.md, configuration.md
# and postinst creates the `kura` system user and /var/lib/kura (kura's,
# 0700), then enables and starts the service under systemd
# (packaging/debian/). docs/operations.md: "Installing the Debian package".
install(TARGETS kura RUNTIME DESTINATION bin)

file(READ ${PROJECT_SOURCE_DIR}/packaging/kura.service kura_unit)
string(REPLACE "/usr/local/bin/kura" "/usr/bin/kura" kura_unit "${kura_unit}")
string(REPLACE "/usr/local/share/doc/kura" "/usr/share/doc/kura" kura_unit "${kura_unit}")
string(REPLACE "(scripts/install-service.sh creates it" "(the package's postinst creates it" kura_unit "${kura_unit}")
file(WRITE ${PROJECT_BINARY_DIR}/packaging/kura.service "${kura_unit}")
install(FILES ${PROJECT_BINARY_DIR}/packaging/kura.service DESTINATION /lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/kura.env DESTINATION share/kura)
install(FILES ${PROJECT_SOURCE_DIR}/docs/operations.md ${PROJECT_SOURCE_DIR}/docs/configuration.md
        DESTINATION share/doc/kura)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME kura)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "AWS APIs (RDS, Aurora, DynamoDB, ElastiCache, KMS, ...) on real engines")
set(CPACK_PACKAGE_DESCRIPTION
    "Kura serves the AWS APIs of RDS and Aurora, DynamoDB, ElastiCache, KMS, Secrets Manager, CloudTrail, CloudWatch, IAM and EC2 networking, and backs every resource with a real engine: PostgreSQL, MariaDB, Redis, Memcached, RocksDB.")
set(CPACK_PACKAGE_CONTACT "Kura maintainers <kura@localhost>")
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)
# The shared libraries' packages, found by dpkg-shlibdeps; adduser for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
# The engines: Kura starts without any (an API whose engine is missing says
# so), so they are recommended, as Debian installs recommendations by default.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
    "postgresql, postgresql-contrib, mariadb-server, mariadb-backup, redis-server, memcached, systemd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "awscli, postgresql-client, mariadb-client, redis-tools")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
