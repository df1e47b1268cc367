// The page's whole app: $resource for a user, read, changed in place and
// saved back whole with $update(); the collection paged by following
// links.next with $http. Nothing here knows more of JSON:API than the
// documents' shape, and no request is tailored to the service: AngularJS's
// default headers and bodies throughout.
(function (angular) {
  'use strict';

  var BASE = (new URLSearchParams(window.location.search).get('api') || '').replace(/\/$/, '');

  angular.module('resourceApp', ['ngResource'])

    .factory('User', ['$resource', function ($resource) {
      return $resource(BASE + '/api/v1/users/:id.json', {id: '@data.id'}, {
        update: {method: 'PATCH'},
        list: {method: 'GET', url: BASE + '/api/v1/users.json', isArray: false}
      });
    }])

    .controller('UsersController', ['$http', '$httpParamSerializer', 'User',
      function ($http, $httpParamSerializer, User) {
        var vm = this;
        vm.base = BASE;
        vm.credentials = {};
        vm.errors = [];

        function failed(response) {
          vm.notice = null;
          vm.errors = (response.data && response.data.errors) ||
            [{status: String(response.status), title: 'Request failed', detail: response.statusText}];
        }
        function succeeded(notice) {
          vm.errors = [];
          vm.notice = notice;
        }

        // OAuth 2 password grant; the token goes on every request after.
        vm.signIn = function () {
          $http.post(BASE + '/api/v1/auth/token', $httpParamSerializer({
            grant_type: 'password',
            username: vm.credentials.email,
            password: vm.credentials.password
          }), {headers: {'Content-Type': 'application/x-www-form-urlencoded'}}).then(function (response) {
            $http.defaults.headers.common.Authorization = 'Bearer ' + response.data.access_token;
            vm.signedIn = vm.credentials.email;
            vm.credentials = {};
            succeeded(null);
          }, failed);
        };

        vm.open = function () {
          vm.user = User.get({id: vm.id}, function () { succeeded(null); }, failed);
        };

        // The whole object goes back, whatever was read with it.
        vm.save = function () {
          vm.user.$update(function (user) {
            succeeded('Saved ' + user.data.attributes.email);
          }, failed);
        };

        vm.list = function () {
          vm.pageNumber = 1;
          vm.page = User.list({'page[size]': 3}, function () { succeeded(null); }, failed);
        };

        vm.next = function () {
          $http.get(vm.page.links.next).then(function (response) {
            vm.page = response.data;
            vm.pageNumber += 1;
            succeeded(null);
          }, failed);
        };
      }]);
})(window.angular);
