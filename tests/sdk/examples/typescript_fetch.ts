import { AuthApi, Configuration, UsersApi } from "./users-client";

async function main() {
  const basePath = "http://127.0.0.1:8080";
  const token = await new AuthApi(new Configuration({ basePath })).createToken({ grantType: "password", username: "ada@example.com", password: "correct horse battery staple" });
  const me = await new UsersApi(new Configuration({ basePath, accessToken: token.accessToken })).getCurrentUser();
  console.log(me.data.attributes.name);
}
main();
