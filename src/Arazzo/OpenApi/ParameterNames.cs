using System;
using System.Linq;
using Daytona.Arazzo.Model;

namespace Daytona.Arazzo.OpenApi
{
    /// <summary>Matches a step's parameter to the operation's when the names differ only in case, '_' and '-' (<c>pet_id</c>, <c>petId</c>).</summary>
    public static class ParameterNames
    {
        /// <summary>The declared parameter a step's parameter means, when its name is not declared as written but matches one loosely; else null.</summary>
        public static OperationParameter? Match(OperationInfo operation, Parameter parameter)
        {
            if (parameter.In == null || operation.Parameters.Any(p => p.In == parameter.In && p.Name == parameter.Name))
            {
                return null;
            }

            var key = Normalize(parameter.Name);
            var candidates = operation.Parameters.Where(p => p.In == parameter.In && Normalize(p.Name) == key).ToList();
            return candidates.Count == 1 ? candidates[0] : null;
        }

        public static string Advice(OperationInfo operation, Parameter parameter, OperationParameter declared) =>
            $"the {parameter.In} parameter '{parameter.Name}' is not a parameter of {operation}; it is sent as '{declared.Name}', the name the description declares. Write '{declared.Name}'.";

        private static string Normalize(string name) => new string(name.Where(c => c != '_' && c != '-').Select(char.ToLowerInvariant).ToArray());
    }
}
